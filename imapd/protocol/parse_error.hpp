// The error every protocol parser throws; its text goes to the client after BAD.
#pragma once

#include <stdexcept>
#include <string>

namespace mail::imapd {

class ParseError : public std::runtime_error {
public:
    explicit ParseError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace mail::imapd
