// The error a bad configuration raises. Its message is for the operator and
// names the file, the line and the problem: /etc/imapd.conf:12: unknown key
// "mail_locaton". Errors from value parsers carry only the problem; the
// reader adds the place.
#pragma once

#include <string>

#include "util/error.hpp"

namespace mail {

class ConfigError : public MailError {
public:
    explicit ConfigError(const std::string& what) : MailError(ErrorKind::Invalid, what) {}
};

}  // namespace mail
