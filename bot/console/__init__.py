"""The staff console and the admin pages, served by the gateway under ``/staff`` and ``/admin``."""
