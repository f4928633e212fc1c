// A command's tagged response: OK, NO or BAD and a text that may start with
// a response code ("[TRYCREATE] No such mailbox").
#pragma once

#include <string>

namespace mail::imapd {

struct Reply {
    enum class Status { Ok, No, Bad };
    Status status = Status::Ok;
    std::string text;

    static Reply ok(std::string text) { return {Status::Ok, std::move(text)}; }
    static Reply no(std::string text) { return {Status::No, std::move(text)}; }
    static Reply bad(std::string text) { return {Status::Bad, std::move(text)}; }
    const char* status_word() const {
        return status == Status::Ok ? "OK" : status == Status::No ? "NO" : "BAD";
    }
};

}  // namespace mail::imapd
