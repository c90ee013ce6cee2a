from service.ideogram_client import api_key


def test_api_key_is_configured():
    assert api_key() == ""
