// One user's mail: maps IMAP mailbox names to (driver, path) and does what
// IMAP asks of the set of mailboxes: open, create, delete, rename, list,
// subscriptions. Built from an expanded location (the configuration reader
// turns mail_location into a StoreLocation).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/driver.hpp"
#include "mailbox/name.hpp"

namespace mail {

struct StoreLocation {
    std::string format;  // "maildir", "mbx", "unix": the format of new folders
    std::string root;    // directory of the folders
    std::string inbox;   // path of INBOX; empty: the root (maildir) itself
    std::string index_dir;  // config index_dir expanded; empty: beside each mailbox
};

// Per-user settings of the IMAP extensions, from the configuration
// (make_user_store fills them in): special-use mailboxes (RFC 6154,
// mailbox/special_use.hpp) and quota limits (RFC 9208, quota/quota.hpp).
struct StoreSettings {
    std::map<std::string, std::vector<std::string>> special_use;  // mailbox -> {"\\Sent"...}
    bool special_use_create = false;  // create them at login
    uint64_t quota_storage = 0;       // bytes; 0: no limit
    uint64_t quota_messages = 0;      // 0: no limit
};

// LIST attributes as bits; attribute_names() gives their IMAP spelling.
enum ListAttribute : uint32_t {
    kNoselect = 1u << 0,
    kHasChildren = 1u << 1,
    kHasNoChildren = 1u << 2,
    kMarked = 1u << 3,
    kUnmarked = 1u << 4,
    kNoInferiors = 1u << 5,  // a mailbox file of a file-per-mailbox store
};

struct ListEntry {
    std::string name;  // as the client sees it (modified UTF-7, '/' separator)
    uint32_t attributes = 0;
    bool operator==(const ListEntry&) const = default;
};
std::vector<std::string> attribute_names(uint32_t attributes);

class Store {
public:
    explicit Store(StoreLocation location);

    const StoreLocation& location() const { return location_; }
    // The system spool (config key spool) whose new mail is moved into INBOX
    // when INBOX is opened read-write (mailbox/spool.hpp); empty: none.
    void set_spool(std::string path) { spool_ = std::move(path); }
    // Moves the spool's new mail into box when name is INBOX, box is writable
    // and a spool is set: at open(), and at every check of a selected INBOX
    // (NOOP, CHECK, IDLE's re-checks, the sync after each command), as UW
    // does. Waits up to lock_wait_seconds for the spool's locks; returns how
    // many messages moved. Never throws: what cannot be moved now (spool
    // locked, unreadable) stays in the spool for the next time.
    size_t snarf_spool_into(std::string_view name, Mailbox& box, int lock_wait_seconds) const;
    char separator() const { return kHierarchySeparator; }
    void set_settings(StoreSettings settings) { settings_ = std::move(settings); }
    const StoreSettings& settings() const { return settings_; }

    struct Resolved {
        Driver* driver = nullptr;  // null when nothing exists there yet
        std::string path;
    };
    // Validates the name (MailError(Invalid)) and finds its path and, when
    // the mailbox exists, the driver that recognises it. A folder whose path
    // leads out of the folder root through a symlink is refused
    // (MailError(Permission)).
    Resolved resolve(std::string_view name) const;

    std::unique_ptr<Mailbox> open(std::string_view name, OpenMode mode) const;
    void create(std::string_view name);
    void remove(std::string_view name);
    // Renaming INBOX moves its messages into the new mailbox and leaves INBOX empty.
    void rename(std::string_view from, std::string_view to);

    // RFC 3501 LIST: reference and pattern are joined; entries sorted by name.
    // The empty pattern (which asks for the separator) is imapd's to answer.
    std::vector<ListEntry> list(std::string_view reference, std::string_view pattern) const;

    std::vector<std::string> subscriptions() const;
    void subscribe(std::string_view name);
    void unsubscribe(std::string_view name);

private:
    // MailError(Permission) when path, symlinks followed, leaves the folder root.
    void check_inside_root(const std::string& path) const;
    bool maildir_layout() const { return location_.format == "maildir"; }
    std::string inbox_path() const;
    std::string folder_path(const std::string& name) const;
    std::string subscriptions_path() const;
    void write_subscriptions(const std::vector<std::string>& names) const;
    std::vector<ListEntry> all_mailboxes() const;
    void move_messages(Mailbox& from, Mailbox& to) const;
    void make_levels(const std::string& levels) const;  // mkdir -p under root
    void create_mailbox(Driver& d, const std::string& path) const;
    Uid next_uidvalidity() const;  // for a new mailbox file
    void rename_tree_index_files(const std::string& from, const std::string& to) const;

    StoreLocation location_;
    std::string spool_;
    StoreSettings settings_;
};

// Dovecot's subscriptions file ("V\t2\n\n" then one name a line, levels
// separated by tabs); version 1 files (plain names, levels separated by the
// storage's separator: '.' in Maildir++) are read too. Every
// storage_separator in a name becomes '/', as Dovecot reads it. Written
// always as version 2, which Dovecot 2.3 reads.
std::vector<std::string> parse_subscriptions(std::string_view text, char storage_separator = kHierarchySeparator);
std::string format_subscriptions(const std::vector<std::string>& names);

}  // namespace mail
