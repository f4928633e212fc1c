// The modseq log parser (c-client/modseq/modseq_log.hpp): any bytes give a
// state without crashing; reading in two pieces equals reading at once; a
// state's compacted text reads back as itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "modseq/modseq_log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    mail::ModseqState whole;
    mail::LogReadResult r = mail::apply_modseq_log(whole, bytes, true);
    if (r.consumed > bytes.size()) std::abort();
    if (r.consumed && bytes[r.consumed - 1] != '\n') std::abort();

    // Split at a line end: the second part continues the first.
    size_t cut = bytes.find('\n', size / 2);
    if (cut != std::string_view::npos && !r.damaged) {
        mail::ModseqState parts;
        mail::LogReadResult a = mail::apply_modseq_log(parts, bytes.substr(0, cut + 1), true);
        mail::LogReadResult b = mail::apply_modseq_log(parts, bytes.substr(cut + 1), false);
        if (a.damaged || b.damaged || !(parts == whole) || a.consumed + b.consumed != r.consumed) std::abort();
    }
    if (!r.damaged && r.has_header) {
        mail::ModseqState back;
        mail::LogReadResult again = mail::apply_modseq_log(back, mail::modseq_file_text(whole, SIZE_MAX), true);
        if (again.damaged || back.messages != whole.messages || back.expunged != whole.expunged ||
            back.highest != whole.highest)
            std::abort();
    }
    return 0;
}
