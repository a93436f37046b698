"""The knowledge base and the taxonomy as data: their size, their facts' shape, and the
errors a bad entry gets (file, entry and key named)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from enrichment import KnowledgeBaseError, TaxonomyError, load_knowledge_base, load_taxonomy
from enrichment.kb import CONFIG_DIR


@pytest.fixture
def config(tmp_path: Path) -> Path:
    shutil.copytree(CONFIG_DIR / "kb", tmp_path / "kb")
    shutil.copy(CONFIG_DIR / "topics.toml", tmp_path / "topics.toml")
    return tmp_path


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def test_the_knowledge_base_covers_what_the_issue_asks(enricher):
    kb = enricher.kb
    by_kind: dict[str, int] = {}
    for entity in kb.entities.values():
        by_kind[entity.kind] = by_kind.get(entity.kind, 0) + 1
    assert by_kind["group"] >= 40 and by_kind["model"] >= 300
    assert by_kind["supplier"] >= 30 and by_kind["person"] >= 30
    chinese = {"byd", "geely", "volvo_cars", "polestar", "zeekr", "lotus", "mg", "chery",
               "haval", "nio", "xpeng", "li_auto", "leapmotor", "xiaomi"}
    assert chinese <= set(kb.entities)
    assert {"rivian", "lucid", "vinfast", "polestar"} <= set(kb.entities)
    assert all(any(link.relation == "owned_by" for link in kb.entities[b].links)
               for b in ("jeep", "chrysler", "dodge", "ram", "fiat", "peugeot", "opel"))
    assert kb.ancestors("jeep_compass", None) == ["jeep", "stellantis"]
    assert kb.ancestors("man_truck_bus", None) == ["traton", "volkswagen_group"]


def test_every_ambiguous_alias_says_how_it_is_resolved(enricher):
    for alias in enricher.kb.aliases:
        if alias.ambiguous:
            assert alias.resolve, alias


def test_the_taxonomy_has_the_topics_and_languages_asked_for(enricher):
    topics = enricher.taxonomy.topics
    assert {"ev_batteries", "charging", "autonomy_adas", "recalls_safety", "sales_earnings",
            "trade_tariffs", "plants_jobs", "policy_regulation", "motorsport",
            "reviews_launches"} <= set(topics)
    for topic in topics:
        languages = {c.lang for c in enricher.taxonomy.cues if c.topic_id == topic}
        assert {"en", "de", "fr", "es", "it"} <= languages, topic


def test_the_version_changes_with_the_data(config):
    before = load_knowledge_base(config).version
    append(config / "kb" / "suppliers.toml",
           '[[supplier]]\nid = "acme_cells"\nname = "Acme Cells"\nsector = "batteries"\n')
    assert load_knowledge_base(config).version != before


@pytest.mark.parametrize("file,text,message", [
    ("brands.toml", '[[brand]]\nid = "jeep"\nname = "Jeep again"\n',
     "brand 'jeep': key 'id': 'jeep' is already used"),
    ("brands.toml", '[[brand]]\nid = "acme"\nname = "Acme"\nowners = [{ group = "nobody" }]\n',
     "brand 'acme': key 'owners': 'nobody' is not a group id"),
    ("brands.toml", '[[brand]]\nid = "acme"\nname = "Acme"\nowner = "stellantis"\n',
     "brand 'acme': key 'owner': unknown key"),
    ("brands.toml", '[[brand]]\nid = "acme"\nname = "Acme"\n'
                    'owners = [{ group = "stellantis", from = 2020, to = 2010 }]\n',
     "brand 'acme': key 'owners[0]': ends"),
    ("brands.toml", '[[brand]]\nid = "acme"\nname = "Acme"\n'
                    'aliases = [{ text = "AC", ambiguous = true }]\n',
     "brand 'acme': key 'aliases[0].resolve': a short ambiguous alias"),
    ("brands.toml", '[[brand]]\nid = "acme"\nname = "Acme"\n'
                    'aliases = [{ text = "Acme", resolve = ["luck"] }]\n',
     "brand 'acme': key 'aliases[0].resolve'"),
    ("brands.toml", '[[brand]]\nid = "acme"\nname = "Jeep"\n',
     "key 'aliases': 'Jeep' is also an unambiguous alias of 'jeep'"),
    ("groups.toml", '[[group]]\nid = "Bad Id"\nname = "Bad"\n', "key 'id': missing, or not"),
    ("groups.toml", '[[group]]\nid = "acme_group"\nname = "Acme"\ncountry = "Germany"\n',
     "group 'acme_group': key 'country': 'Germany' is not an ISO"),
    ("models.toml", 'acme = []\n', "key 'acme': no brand with this id"),
    ("people.toml", '[[person]]\nid = "jane_doe"\nname = "Jane Doe"\n',
     "person 'jane_doe': key 'roles'"),
    ("suppliers.toml", '[[supplier]]\nid = "acme"\nname = "Acme"\nsector = "magic"\n',
     "supplier 'acme': key 'sector': unknown sector 'magic'"),
])
def test_a_bad_entry_is_named_with_its_file_entry_and_key(config, file, text, message):
    append(config / "kb" / file, text)
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(config)
    assert str(caught.value).startswith(str(config / "kb" / file))
    assert message in str(caught.value)


def test_a_bad_model_is_named(config):
    path = config / "kb" / "models.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        '{ id = "jeep_compass", name = "Compass", body = "suv"',
        '{ id = "jeep_compass", name = "Compass", body = "spaceship"'), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="model 'jeep_compass': key 'body': unknown "
                                                 "body 'spaceship'"):
        load_knowledge_base(config)


def test_a_broken_file_is_named(config):
    (config / "kb" / "people.toml").write_text("[[person]\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="people.toml: not valid TOML"):
        load_knowledge_base(config)


@pytest.mark.parametrize("text,message", [
    ('[[topic]]\nid = "x_topic"\nname = "X"\ndescription = "d"\nthreshold = 0\n'
     '[topic.cues]\nen = { "x" = 1.0 }\n', "topic 'x_topic': key 'threshold'"),
    ('[[topic]]\nid = "x_topic"\nname = "X"\ndescription = "d"\nthreshold = 2\n'
     '[topic.cues]\nen = { "x*y" = 1.0 }\n', "topic 'x_topic': key 'cues.en.'x*y''"),
    ('[[topic]]\nid = "x_topic"\nname = "X"\ndescription = "d"\nthreshold = 2\n'
     '[topic.cues]\nenglish = { "x" = 1.0 }\n', "key 'cues.english': not an ISO 639-1"),
    ('[[topic]]\nid = "motorsport"\nname = "X"\ndescription = "d"\nthreshold = 2\n'
     '[topic.cues]\nen = { "x" = 1.0 }\n', "topic 'motorsport': key 'id': used twice"),
])
def test_a_bad_topic_is_named_with_its_key(config, text, message):
    append(config / "topics.toml", text)
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(config)
    assert message in str(caught.value)
