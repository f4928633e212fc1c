// The mbx Driver (UW imap-2007f's format): recognises a file by its
// "*mbx*" header, creates, removes and renames files, opens them as MbxMailbox.
#pragma once

#include "mailbox/driver.hpp"

namespace mail::mbx {

class MbxDriver : public Driver {
public:
    std::string_view name() const override { return "mbx"; }
    bool recognizes(const std::string& path) const override;
    // A new file with the header and no messages, mode 0600; UIDVALIDITY is
    // the time of creation. Missing parent directories are made (0700).
    void create(const std::string& path) override { create(path, UidBase{}); }
    void create(const std::string& path, const UidBase& base) override;
    // Both refuse (Busy) while another session has the mailbox open, as UW does.
    void remove(const std::string& path) override;
    void rename(const std::string& from, const std::string& to) override;
    std::unique_ptr<Mailbox> open(const std::string& path, OpenMode mode) override;
    // With the configuration's index_dir: where the open index goes.
    std::unique_ptr<Mailbox> open_with_index_dir(const std::string& path, OpenMode mode,
                                                 std::string_view index_dir) override;
};

}  // namespace mail::mbx
