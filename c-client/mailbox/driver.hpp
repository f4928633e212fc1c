// One Driver per mailbox format. The Store (store.hpp) asks each driver in
// turn whether it recognises a path, as UW's c-client does, so one user's
// folders may be in several formats.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "mailbox/mailbox.hpp"

namespace mail {

// The UID numbering of a new mailbox, for tools that copy a mailbox keeping
// its UIDs (mailtool convert): UIDVALIDITY, and UIDNEXT so that UIDs the old
// mailbox gave out are never reused. 0: the driver's own choice (the time;
// 1). Appends then give each message its old UID (AppendRequest::uid).
struct UidBase {
    Uid uidvalidity = 0;
    Uid uidnext = 0;
};

class Driver {
public:
    virtual ~Driver() = default;
    virtual std::string_view name() const = 0;  // "maildir", "mbx", "unix"
    // True when path holds a mailbox of this format (by its content).
    virtual bool recognizes(const std::string& path) const = 0;
    virtual void create(const std::string& path) = 0;
    virtual void create(const std::string& path, const UidBase& base) = 0;
    virtual void remove(const std::string& path) = 0;
    virtual void rename(const std::string& from, const std::string& to) = 0;
    virtual std::unique_ptr<Mailbox> open(const std::string& path, OpenMode mode) = 0;
    // open() with the configuration's index_dir (StoreLocation::index_dir):
    // where a driver keeps files derived from the mailbox (the unix driver's
    // index and append journal); "" keeps them beside the mailbox. Store
    // opens through this; a driver that keeps no such files need not
    // override it.
    virtual std::unique_ptr<Mailbox> open_with_index_dir(const std::string& path, OpenMode mode,
                                                         std::string_view index_dir) {
        (void)index_dir;
        return open(path, mode);
    }
};

// The drivers compiled in, in the order they are asked.
const std::vector<Driver*>& all_drivers();
Driver* driver_by_name(std::string_view name);
Driver* driver_for_path(const std::string& path);

}  // namespace mail
