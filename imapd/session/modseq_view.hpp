// CONDSTORE/QRESYNC helpers shared by the commands (RFC 7162): the modseq
// file of a mailbox that is not selected (STATUS), and the text of UID sets.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "mailbox/store.hpp"
#include "modseq/modseq_file.hpp"
#include "search/search_key.hpp"

namespace mail::imapd {

class Session;

// The mailbox's modseq file, brought up to date with the open mailbox;
// null when the mailbox cannot have one.
std::unique_ptr<ModseqFile> open_modseq_file(const Store& store, std::string_view name, const Mailbox& mailbox);

// The selected mailbox's modseq file, turning CONDSTORE on; ParseError
// (BAD) when the mailbox has none, as RFC 7162 3.1.2.2 asks.
ModseqFile& require_modseq(Session& session);

// Whether a SEARCH program has a MODSEQ key anywhere.
bool uses_modseq(const SearchKey& key);

}  // namespace mail::imapd
