// The maildir Driver: recognises, creates, removes and renames Maildir++
// folders and opens them as MaildirMailbox.
#pragma once

#include "mailbox/driver.hpp"

namespace mail::maildir {

class MaildirDriver : public Driver {
public:
    std::string_view name() const override { return "maildir"; }
    bool recognizes(const std::string& path) const override;
    void create(const std::string& path) override { create(path, UidBase{}); }
    void create(const std::string& path, const UidBase& base) override;
    void remove(const std::string& path) override;
    void rename(const std::string& from, const std::string& to) override;
    std::unique_ptr<Mailbox> open(const std::string& path, OpenMode mode) override;
    // imapd-dates goes under index_dir when it is set (index/index_path.hpp).
    std::unique_ptr<Mailbox> open_with_index_dir(const std::string& path, OpenMode mode,
                                                 std::string_view index_dir) override;
};

}  // namespace mail::maildir
