// The server's commands: one row each in command_table.cpp.
#pragma once

#include <span>

#include "imapd/session/command_spec.hpp"

namespace mail::imapd {

std::span<const CommandSpec> command_table();

}  // namespace mail::imapd
