// Streaming decoders for searching message text in bounded memory: the
// Content-Transfer-Encoding (base64, quoted-printable) and the charset (to
// UTF-8 through iconv). Each takes chunks of any size and keeps across
// chunks only the few bytes of a split quantum or character.
#pragma once

#include <string>
#include <string_view>

namespace mail {

class TransferDecoder {
public:
    enum class Encoding { Identity, Base64, QuotedPrintable };
    // From a Content-Transfer-Encoding value; unknown ones (7bit, 8bit,
    // binary, x-uuencode...) are passed through as they are.
    static Encoding encoding_of(std::string_view cte);

    explicit TransferDecoder(Encoding e) : encoding_(e) {}
    // Appends the decoded bytes of `in` to `out`.
    void feed(std::string_view in, std::string& out);
    // Appends what is left at the end of the part.
    void finish(std::string& out);

private:
    void feed_base64(std::string_view in, std::string& out);
    void feed_qp(std::string_view in, std::string& out);

    Encoding encoding_;
    unsigned quantum_ = 0;  // base64: bits gathered
    int bits_ = 0;          // base64: how many
    std::string pending_;   // quoted-printable: an '=' sequence or trailing blanks not yet decided
};

// Text in a MIME charset to UTF-8. UTF-8, US-ASCII, an absent and an unknown
// charset are taken as UTF-8; invalid sequences become U+FFFD.
class Utf8Converter {
public:
    explicit Utf8Converter(std::string_view charset);
    ~Utf8Converter();
    Utf8Converter(const Utf8Converter&) = delete;
    Utf8Converter& operator=(const Utf8Converter&) = delete;

    // Appends complete UTF-8 characters to `out`; a character split at the
    // end of `in` is kept for the next call.
    void feed(std::string_view in, std::string& out);
    void finish(std::string& out);

private:
    void* cd_ = nullptr;  // iconv_t, or null for UTF-8 input
    std::string carry_;
};

}  // namespace mail
