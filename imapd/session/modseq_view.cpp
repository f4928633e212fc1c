// The session's side of CONDSTORE/QRESYNC: opening the selected mailbox's
// modseq file, and writing what a sync found (VANISHED, FETCH with MODSEQ).
#include "imapd/session/modseq_view.hpp"

#include <algorithm>

#include "imapd/commands/mailbox_util.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "imapd/session/session.hpp"
#include "util/error.hpp"

namespace mail::imapd {

std::unique_ptr<ModseqFile> open_modseq_file(const Store& store, std::string_view name, const Mailbox& mailbox) {
    std::unique_ptr<ModseqFile> file;
    try {
        file = ModseqFile::open(store.resolve(name).path, store.location().index_dir);
        if (file) {
            ModseqFile::Guard guard = file->lock();
            file->sync(mailbox);
        }
    } catch (const MailError&) {
        file.reset();  // no modseqs for this mailbox: NOMODSEQ
    }
    return file;
}

ModseqFile& require_modseq(Session& session) {
    ModseqFile* file = session.use_condstore();
    if (!file) throw ParseError("[NOMODSEQ] No mod-sequences in this mailbox");
    return *file;
}

bool uses_modseq(const SearchKey& key) {
    if (key.kind == SearchKey::Kind::ModSeq) return true;
    return std::any_of(key.children.begin(), key.children.end(), [](const SearchKey& k) { return uses_modseq(k); });
}

ModseqFile* Session::use_condstore() {
    if (!condstore()) enable("CONDSTORE");  // opens the file when selected
    return modseq_.get();
}

void Session::open_modseq() {
    if (!mailbox_ || !store_) return;
    modseq_ = open_modseq_file(*store_, selected_name_, *mailbox_);
    note_view();
}

void Session::note_view() {
    if (!mailbox_ || !qresync()) return;
    view_uids_.resize(mailbox_->count());
    for (size_t i = 0; i < mailbox_->count(); ++i) view_uids_[i] = mailbox_->at(i).uid;
}

void Session::flush_vanished() {
    if (vanished_.empty()) return;
    std::vector<Uid> uids = std::move(vanished_);
    vanished_.clear();
    std::sort(uids.begin(), uids.end());
    untagged("VANISHED " + uid_set_text(uids));
}

void Session::flush_flag_changes() {
    if (flag_changes_.empty() || !mailbox_) return;
    std::vector<Uid> uids = std::move(flag_changes_);
    flag_changes_.clear();
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    for (Uid uid : uids)
        if (auto index = mailbox_->index_of(uid)) flags_changed(*index + 1);
}

}  // namespace mail::imapd
