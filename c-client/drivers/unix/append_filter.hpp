// How a message is stored into a Berkeley mbox, as UW's unix_append_msgs,
// procmail and Postfix store it: CRLF becomes LF; every body or header line
// that starts with "From " gets a '>' (UW's default, unix_fromwidget, and
// what procmail and Postfix do; nobody un-quotes on reading); header lines
// that would pass for our hidden status lines (Status, X-Status,
// X-Keywords, X-UID, X-IMAP, X-IMAPbase) are renamed X-Original-...; the
// message ends with a line end. Pure and incremental: bytes in any chunks.
#pragma once

#include <string>
#include <string_view>

namespace mail::unixmbox {

class AppendFilter {
public:
    void feed(std::string_view in, std::string& out);
    void finish(std::string& out);  // completes the last line

private:
    void decide(std::string& out);  // the line's start is known: write it

    std::string start_;        // the first bytes of the current line, undecided
    bool decided_ = false;     // start of the current line already written
    bool in_header_ = true;
    bool pending_cr_ = false;
    bool line_empty_ = true;   // nothing written on the current line yet
};

}  // namespace mail::unixmbox
