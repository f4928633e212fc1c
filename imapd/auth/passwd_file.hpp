// Dovecot's passwd-file format, for users who are not system accounts:
//
//   user:{SCHEME}password:uid:gid:gecos:home:shell:extra_fields
//
// Fields after the password may be empty or missing; '#' starts a comment
// line. Schemes: CRYPT and the *-CRYPT names (crypt(3): $1$ $5$ $6$ $2b$
// $y$), PLAIN/CLEARTEXT, SHA256/SHA512 and SSHA256/SSHA512 (base64). No
// scheme means CRYPT, Dovecot's default for passwd-file.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "imapd/auth/account.hpp"

namespace mail::imapd {

struct PasswdFileEntry {
    std::string user;
    std::string password;  // "{SCHEME}..." as written
    std::string uid, gid;  // as written; may be empty
    std::string home;
};

// One line; nullopt for comments, blank lines and lines without a user.
std::optional<PasswdFileEntry> parse_passwd_file_line(std::string_view line);

// Whether password matches stored ("{SCHEME}data" or bare crypt). Unknown
// schemes and empty stored passwords never match. Comparison in constant
// time where the scheme allows.
bool verify_password(std::string_view stored, std::string_view password);

// Authenticates against the file at path, read at each attempt (so edits
// take effect without a restart). uid and gid are numbers or names; a user
// without them, or with uid 0, is refused.
std::unique_ptr<PassDb> make_passwd_file_db(std::string path);

}  // namespace mail::imapd
