// mail_location: where a user's mail lives, in Dovecot's notation
// FORMAT:PATH[:INBOX=PATH], and its expansion for one user.
//
//   FORMAT   mbx, unix (or Dovecot's name mbox), maildir
//   %u       the user name            %h   the home directory
//   %1       first letter of the user %2   second letter; "_" for a
//   %%       a percent sign                one-letter user (see CONFIG)
//   ~/       at the start of a path: the home directory
//   ::       a colon inside a path
//
// Parsing is pure; only resolve_location's bare-path case looks at files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mailbox/store.hpp"

namespace mail {

// A location expanded for one user: the format new folders are created in,
// the folder root and the INBOX path (always filled in here). The Store is
// built from it.
using ExpandedLocation = StoreLocation;

// A parsed, not yet expanded, location: paths still hold %u, ~/ and so on.
struct LocationTemplate {
    std::string format;
    std::string root;
    std::string inbox;  // empty: the format's default (see default_inbox)
    bool operator==(const LocationTemplate&) const = default;
};

// Whose mail: the values of %u and %h.
struct UserVars {
    std::string_view user;
    std::string_view home;
};

// Parses FORMAT:PATH[:INBOX=PATH]. Throws ConfigError naming the problem.
LocationTemplate parse_location(std::string_view text);

// Checks a path template's variables without expanding it (for keys such as
// spool that are expanded per user later). Throws ConfigError.
void check_path_template(std::string_view tmpl);

// Expands ~/, %u, %h, %1, %2 and %%. Throws ConfigError on an unknown
// variable, on a user name that is empty, ".", ".." or holds '/' (it would
// lead outside the user's area), or on a home that is needed but not
// absolute.
std::string expand_path(std::string_view tmpl, const UserVars& vars);

// Expands every path of the template; fills in the default INBOX: the root
// itself for maildir, ROOT/inbox for mbx and unix (as Dovecot does).
ExpandedLocation expand_location(const LocationTemplate& loc, const UserVars& vars);

// The user's location: from the environment variable MAIL when mail_env is
// set and not empty (as Dovecot's standalone imap does), else from the
// configured mail_location text. MAIL holds either the notation above or a
// bare path, whose format is recognised from what is there:
//   a directory with cur/             maildir, root and INBOX the path
//   a file starting with "*mbx*"      mbx, INBOX the path
//   any other file                    unix, INBOX the path
//   nothing yet                       the configured format, INBOX the path
// For a bare file path the folder root is the configured root when the
// formats agree, else ~/mail. Throws ConfigError.
ExpandedLocation resolve_location(std::string_view configured, const UserVars& vars,
                                  const char* mail_env);

// The format of an existing mailbox at path ("maildir", "mbx", "unix"),
// "" when nothing is there, "?" when it cannot tell (a directory without
// cur/, an unreadable file).
std::string detect_mailbox_format(const std::string& path);

}  // namespace mail
