// One delivery: choose the folder (falling back to INBOX with a warning when
// the folder cannot be had), stream the filtered message into it, commit.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "args.hpp"
#include "mailbox/store.hpp"

namespace mail::dmail {

struct DeliveryOptions {
    uint64_t max_message_size = 0;  // 0: no limit
    // Told of anything the user or operator should know (stderr and syslog).
    std::function<void(const std::string&)> warn;
    std::function<void(const std::string&)> debug;
};

struct DeliveryResult {
    std::string folder;  // the mailbox name delivered to
    Uid uid = 0;
    uint64_t bytes = 0;  // bytes stored (after filtering)
};

// Reads the message from fd to its end and delivers it. Throws MailError
// (the caller maps its kind to an exit code); nothing is stored then.
DeliveryResult deliver(Store& store, const Args& args, int fd, const DeliveryOptions& options);

// The mailbox name to deliver to: the folder if it is a valid name and
// exists or can be created, else INBOX (warned about).
std::string choose_folder(Store& store, const std::string& folder, const DeliveryOptions& options);

}  // namespace mail::dmail
