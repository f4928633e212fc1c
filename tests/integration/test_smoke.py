"""The reference server the differential tests rely on is usable here."""
import lib


def test_dovecot_reference_serves_preauth():
    home = lib.tempdir()
    s = lib.dovecot_session(home)
    assert s.greeting.startswith(b"* PREAUTH"), s.greeting
    untagged, tagged = s.cmd("SELECT INBOX")
    assert tagged.split()[1] == b"OK", tagged
    s.close()
