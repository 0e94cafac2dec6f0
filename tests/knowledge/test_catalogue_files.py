import pytest

from knowledge.catalogue_files import CatalogueFileError, dump_services, load_services, parse_services


def test_yaml_and_json_export_import_back_unchanged(seed_services, tmp_path):
    for fmt in ("yaml", "json"):
        path = tmp_path / f"catalogue.{fmt}"
        path.write_text(dump_services(seed_services, fmt), encoding="utf-8")
        assert load_services(path) == seed_services


def test_malformed_yaml_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("- id: x\n  title: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueFileError, match=r"broken\.yaml: not valid YAML"):
        load_services(path)


def test_wrong_encoding_is_named(tmp_path):
    path = tmp_path / "thai.yaml"
    path.write_bytes("- id: บัตร".encode("cp874"))
    with pytest.raises(CatalogueFileError, match="not UTF-8"):
        load_services(path)


def test_not_a_list_is_refused():
    with pytest.raises(CatalogueFileError, match="expected a list"):
        parse_services("hello")


def test_unknown_export_format():
    with pytest.raises(ValueError, match="unknown export format"):
        dump_services([], "xml")
