#include "config/keys.hpp"

namespace mail {
namespace {

using K = KeyKind;

constexpr KeySpec kKeys[] = {
    // Where mail lives.
    {"mail_location", "mbx:%h/mail:INBOX=%h/INBOX", K::Location, "",
     "where a user's folders and INBOX are (FORMAT:PATH[:INBOX=PATH])"},
    {"spool", "/var/mail/%u", K::Path, "",
     "system spool whose new mail is moved into INBOX; empty: none"},
    {"index_dir", "", K::Path, "",
     "where the library's own per-mailbox files go (cache, modseq, unix index, append journal and pending flags, maildir dates, mbx index, mbx/unix MAILBOXID); empty: beside each mailbox"},
    // Authentication.
    {"passdb", "pam", K::Enum, "pam|passwd-file:",
     "pam, or passwd-file:PATH in Dovecot's passwd-file format"},
    {"pam_service", "imap", K::String, "", "the PAM service name"},
    {"plaintext_auth", "localhost", K::Enum, "no|localhost|yes",
     "whether LOGIN and AUTHENTICATE PLAIN are allowed without TLS"},
    // TLS.
    {"tls_cert", "", K::Path, "", "PEM certificate chain; empty: no STARTTLS, no port 993"},
    {"tls_key", "", K::Path, "", "PEM private key of tls_cert"},
    // Limits and timers.
    {"max_message_size", "1536M", K::Size, "", "larger APPEND or delivery is refused"},
    {"max_line_length", "64K", K::Size, "",
     "longest IMAP command line, literals excluded; longer gets BAD"},
    {"autologout", "30m", K::Duration, "", "idle time after login before BYE"},
    {"login_timeout", "60s", K::Duration, "", "time allowed to log in"},
    {"lock_timeout", "30s", K::Duration, "",
     "how long to wait for a mailbox lock before saying try again"},
    // IMAP extensions: special-use mailboxes (RFC 6154) and quota (RFC 9208).
    {"special_use", "", K::String, "",
     "special-use mailboxes, e.g. Sent:\\Sent, Drafts:\\Drafts, Trash:\\Trash; empty: none"},
    {"special_use_create", "no", K::Enum, "yes|no",
     "create the special_use mailboxes that do not exist at login"},
    {"quota_storage", "0", K::Size, "", "storage limit of a user's mail; 0: none"},
    {"quota_messages", "0", K::Size, "", "message count limit of a user's mail; 0: none"},
    // Operations.
    {"log_path", "syslog", K::Path, "syslog|stderr",
     "syslog (facility mail), stderr, or a file appended to"},
    {"alert_file", "/etc/imapd.alert", K::Path, "", "its text is sent as * OK [ALERT]"},
    {"shutdown_file", "/etc/imapd.shutdown", K::Path, "",
     "while it exists, new sessions get BYE"},
    {"hostname", "", K::String, "",
     "name in greetings and maildir file names; empty: the system's"},
    {"fsync", "yes", K::Enum, "yes|no",
     "fsync written mail before saying OK; no only for tests"},
};

}  // namespace

std::span<const KeySpec> config_keys() { return kKeys; }

const KeySpec* find_config_key(std::string_view name) {
    for (const KeySpec& k : kKeys)
        if (k.name == name) return &k;
    return nullptr;
}

}  // namespace mail
