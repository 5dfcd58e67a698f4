"""Hamkke's own Rasa NLU components, run inside Rasa's environment.

The components import Rasa, which lives in .venv-rasa, so each test runs a
short script there and checks what it prints. The classifier test trains a
small real model with ``rasa train nlu`` and loads it back as the server does.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from hamkke.config import PROJECT_ROOT
from hamkke.training import RASA_BIN, RASA_PYTHON, rasa_env


def in_rasa(script: str, cwd: Path = PROJECT_ROOT) -> object:
    """Run ``script`` with Rasa's Python; it prints one JSON document last."""
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", textwrap.dedent(script)],
        cwd=cwd, env=rasa_env(), capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_tokenizer_keeps_hangul_words_that_rasas_drops() -> None:
    texts = ["how to get 외국인등록증", "где продлить F-4 в 출입국", "비자 연장 어디서 해요",
             "gia hạn visa ở đâu", "ок 👍 спасибо ❤️"]
    got = in_rasa(f"""
        import json
        from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
        from rasa.shared.nlu.training_data.message import Message
        from nlu_components.tokenizer import ResidentTokenizer
        ours = ResidentTokenizer(ResidentTokenizer.get_default_config())
        rasas = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
        out = {{}}
        for text in {texts!r}:
            out[text] = [[t.text for t in tok.tokenize(Message.build(text=text), "text")] for tok in (ours, rasas)]
        print(json.dumps(out, ensure_ascii=False))
    """)
    assert isinstance(got, dict)
    assert got["how to get 외국인등록증"] == [["how", "to", "get", "외국인등록증"], ["how", "to", "get"]]
    assert got["где продлить F-4 в 출입국"][0] == ["где", "продлить", "F-4", "в", "출입국"]
    assert "출입국" not in got["где продлить F-4 в 출입국"][1]
    # An all-Korean sentence: words, not the whole text as one token.
    assert got["비자 연장 어디서 해요"] == [["비자", "연장", "어디서", "해요"], ["비자 연장 어디서 해요"]]
    assert got["gia hạn visa ở đâu"][0] == ["gia", "hạn", "visa", "ở", "đâu"]
    # Emoji alone are still dropped.
    assert got["ок 👍 спасибо ❤️"][0] == ["ок", "спасибо"]


def test_featurizer_counts_numbers_as_words() -> None:
    got = in_rasa("""
        import json, tempfile
        from pathlib import Path
        from rasa.engine.graph import ExecutionContext, GraphSchema
        from rasa.engine.storage.local_model_storage import LocalModelStorage
        from rasa.engine.storage.resource import Resource
        from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
        from rasa.shared.nlu.training_data.message import Message
        from rasa.shared.nlu.training_data.training_data import TrainingData
        from nlu_components.counts import NumberKeepingCountVectorsFeaturizer
        from nlu_components.tokenizer import ResidentTokenizer
        storage = LocalModelStorage(Path(tempfile.mkdtemp()))
        context = ExecutionContext(GraphSchema({}), "test")
        out = {}
        for cls in (NumberKeepingCountVectorsFeaturizer, CountVectorsFeaturizer):
            data = TrainingData([Message.build(text="is 119 free", intent="emergency"),
                                 Message.build(text="is 1345 free", intent="immigration")])
            ResidentTokenizer(ResidentTokenizer.get_default_config()).process_training_data(data)
            featurizer = cls.create(cls.get_default_config(), storage, Resource(cls.__name__), context)
            featurizer.train(data)
            out[cls.__name__] = sorted(featurizer.vectorizers["text"].vocabulary_)
        print(json.dumps(out))
    """)
    assert isinstance(got, dict)
    assert got["NumberKeepingCountVectorsFeaturizer"] == ["119", "1345", "free", "is"]
    assert got["CountVectorsFeaturizer"] == ["__number__", "free", "is"]



def test_spelling_corrector_reads_a_slip_as_the_training_word() -> None:
    training = ["страховка для работника", "насилие на работе", "агентство по трудоустройству",
                "lost my passport", "visa extension", "외국인등록증 신청", "산재 신고", "страховка"]
    typed = ["страхховка", "насиилие", "агентсвто", "pasport", "vsa", "외국인등록중", "совершенно", "страховка"]
    got = in_rasa(f"""
        import json, tempfile
        from pathlib import Path
        from rasa.engine.graph import ExecutionContext, GraphSchema
        from rasa.engine.storage.local_model_storage import LocalModelStorage
        from rasa.engine.storage.resource import Resource
        from rasa.shared.nlu.training_data.message import Message
        from rasa.shared.nlu.training_data.training_data import TrainingData
        from nlu_components.spelling import SpellingCorrector
        from nlu_components.tokenizer import ResidentTokenizer
        tokenizer = ResidentTokenizer(ResidentTokenizer.get_default_config())
        storage = LocalModelStorage(Path(tempfile.mkdtemp()))
        context = ExecutionContext(GraphSchema({{}}), "test")
        resource = Resource("speller")
        data = TrainingData([Message.build(text=t, intent="x") for t in {training!r}])
        tokenizer.process_training_data(data)
        config = SpellingCorrector.get_default_config()
        SpellingCorrector.create(config, storage, resource, context).train(data)
        # Loaded back from the model storage, as Rasa's server does.
        corrector = SpellingCorrector.load(config, storage, resource, context)
        messages = [Message.build(text=t) for t in {typed!r}]
        tokenizer.process(messages)
        corrector.process(messages)
        print(json.dumps({{m.get("text"): [t.text, t.lemma] for m in messages for t in m.get("text_tokens")}},
                         ensure_ascii=False))
    """)
    assert isinstance(got, dict)
    # Doubled letters, a dropped letter and two swapped neighbours (Damerau distance 1).
    assert got["страхховка"] == ["страхховка", "страховка"]
    assert got["насиилие"] == ["насиилие", "насилие"]
    assert got["агентсвто"] == ["агентсвто", "агентство"]
    assert got["pasport"] == ["pasport", "passport"]
    # Known words, short words, far words and Hangul are read as typed.
    assert got["страховка"] == ["страховка", "страховка"]
    assert got["vsa"] == ["vsa", "vsa"]
    assert got["совершенно"] == ["совершенно", "совершенно"]
    assert got["외국인등록중"] == ["외국인등록중", "외국인등록중"]

NLU = """\
version: "3.1"
nlu:
- intent: visa
  examples: |
    - where to extend my visa
    - visa extension documents
    - продлить визу
    - 비자 연장 어디서
    - gia han visa o dau
    - F-4 연장 how
- intent: wages
  examples: |
    - boss did not pay my salary
    - unpaid wages report
    - не платят зарплату
    - 월급을 못 받았어요
    - cong ty no luong
    - 임금체불 신고
- intent: school
  examples: |
    - how to enrol my child in school
    - school for foreign kids
    - записать ребенка в школу
    - 아이 학교 입학
    - cho con di hoc
    - 전학 가능해요
"""

CONFIG = """\
recipe: default.v1
language: xx
assistant_id: component-test
pipeline:
  - name: nlu_components.folding.TextFolder
  - name: nlu_components.tokenizer.ResidentTokenizer
  - name: nlu_components.spelling.SpellingCorrector
  - name: nlu_components.counts.NumberKeepingCountVectorsFeaturizer
    max_ngram: 2
  - name: nlu_components.counts.NumberKeepingCountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: nlu_components.linear.LinearIntentClassifier
    ranking_length: 2
  - name: FallbackClassifier
    threshold: 0.3
policies: []
"""


@pytest.mark.slow
def test_linear_classifier_trains_persists_and_ranks(tmp_path: Path) -> None:
    (tmp_path / "nlu.yml").write_text(NLU, encoding="utf-8")
    (tmp_path / "config.yml").write_text(CONFIG, encoding="utf-8")
    train = subprocess.run(
        [str(RASA_BIN), "train", "nlu", "--config", "config.yml",
         "--nlu", "nlu.yml", "--out", "models", "--fixed-model-name", "tiny"],
        cwd=tmp_path, env=rasa_env(), capture_output=True, text=True, timeout=600,
    )
    assert train.returncode == 0, train.stdout[-3000:] + train.stderr[-3000:]
    got = in_rasa("""
        import asyncio, json, logging
        from rasa.core.agent import Agent
        from rasa.utils.log_utils import configure_structlog
        configure_structlog(logging.WARNING)
        agent = Agent.load("models/tiny.tar.gz")
        texts = ["visa extend where", "зарплату не заплатили", "con toi muon di hoc", "학교 입학 서류", "!!!"]
        async def parse():
            return {t: await agent.parse_message(t) for t in texts}
        print(json.dumps(asyncio.run(parse()), ensure_ascii=False, default=float))
    """, cwd=tmp_path)
    assert isinstance(got, dict)
    assert got["visa extend where"]["intent"]["name"] == "visa"
    assert got["зарплату не заплатили"]["intent"]["name"] == "wages"
    assert got["con toi muon di hoc"]["intent"]["name"] == "school"
    assert got["학교 입학 서류"]["intent"]["name"] == "school"
    ranking = got["visa extend where"]["intent_ranking"]
    # ranking_length 2 (the fallback, when it fires, is put in front).
    assert [r["name"] for r in ranking] == ["visa", ranking[1]["name"]] and len(ranking) == 2
    assert ranking[0]["confidence"] > ranking[1]["confidence"]
    # Nothing to featurise: no intent, so the fallback answers.
    assert got["!!!"]["intent"]["name"] == "nlu_fallback"
