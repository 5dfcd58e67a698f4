// The publishing page: follow the current job's progress once a second; reload when it ends.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "yes") { return; }
  var id = box.dataset.job;
  function poll() {
    fetch("/admin/models/jobs/" + id, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (job) {
        document.getElementById("job-progress").value = job.progress;
        document.getElementById("job-percent").textContent = job.progress + "%";
        document.getElementById("job-stage").textContent = job.stage_text;
        document.getElementById("job-message").textContent = job.message || "";
        if (job.finished) { location.reload(); } else { setTimeout(poll, 1000); }
      }).catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 1000);
})();
