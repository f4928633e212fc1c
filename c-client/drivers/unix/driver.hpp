// The unix (Berkeley mbox) Driver: recognises a file that is empty or starts
// (after blank lines) with a From line, creates one holding UW's
// folder-internal-data pseudo-message, and opens it as UnixMailbox.
#pragma once

#include "mailbox/driver.hpp"

namespace mail::unixmbox {

class UnixDriver : public Driver {
public:
    std::string_view name() const override { return "unix"; }
    bool recognizes(const std::string& path) const override;
    void create(const std::string& path) override { create(path, UidBase{}); }
    void create(const std::string& path, const UidBase& base) override;
    void remove(const std::string& path) override;
    void rename(const std::string& from, const std::string& to) override;
    std::unique_ptr<Mailbox> open(const std::string& path, OpenMode mode) override;
    std::unique_ptr<Mailbox> open_with_index_dir(const std::string& path, OpenMode mode,
                                                 std::string_view index_dir) override;
};

}  // namespace mail::unixmbox
