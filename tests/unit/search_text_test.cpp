// The search engine's text pipeline: transfer decoders, charset conversion,
// case folding and the streaming matcher, each fed in every chunking.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "search/text_decoder.hpp"
#include "search/text_matcher.hpp"

using namespace mail;

namespace {

using Enc = TransferDecoder::Encoding;

// Decodes `in` fed in pieces of `step` bytes.
std::string decode(Enc e, const std::string& in, size_t step) {
    TransferDecoder d(e);
    std::string out;
    for (size_t i = 0; i < in.size(); i += step) d.feed(std::string_view(in).substr(i, step), out);
    d.finish(out);
    return out;
}

std::string convert(const std::string& charset, const std::string& in, size_t step) {
    Utf8Converter c(charset);
    std::string out;
    for (size_t i = 0; i < in.size(); i += step) c.feed(std::string_view(in).substr(i, step), out);
    c.finish(out);
    return out;
}

}  // namespace

TEST_CASE("transfer decoders, any chunking", "[search]") {
    struct Case {
        Enc enc;
        std::string in, out;
    } cases[] = {
        {Enc::Base64, "SGVsbG8gV29ybGQ=", "Hello World"},
        {Enc::Base64, "SGVs\r\nbG8g\nV29y bGQh", "Hello World!"},
        {Enc::Base64, "SGk=SGk=", "HiHi"},  // padding mid-stream: decoding goes on
        {Enc::Base64, "", ""},
        {Enc::QuotedPrintable, "a=3Db=3db", "a=b=b"},
        {Enc::QuotedPrintable, "soft=\nbreak", "softbreak"},
        {Enc::QuotedPrintable, "soft=\r\nbreak", "softbreak"},
        {Enc::QuotedPrintable, "soft=  \r\nbreak", "softbreak"},
        {Enc::QuotedPrintable, "trail  \nx", "trail\nx"},
        {Enc::QuotedPrintable, "in the middle", "in the middle"},
        {Enc::QuotedPrintable, "bad=ZZ and =4", "bad=ZZ and =4"},
        {Enc::QuotedPrintable, "Gr=FC=DFe", "Gr\xFC\xDF" "e"},
        {Enc::QuotedPrintable, "end=", "end"},
        {Enc::QuotedPrintable, "x==41", "x=A"},
        {Enc::Identity, "=41 as is", "=41 as is"},
    };
    for (const auto& c : cases) {
        for (size_t step : {1, 2, 3, 5, 1000}) {
            INFO(c.in << " step " << step);
            CHECK(decode(c.enc, c.in, step) == c.out);
        }
    }
    CHECK(TransferDecoder::encoding_of("BASE64") == Enc::Base64);
    CHECK(TransferDecoder::encoding_of("Quoted-Printable") == Enc::QuotedPrintable);
    CHECK(TransferDecoder::encoding_of("8bit") == Enc::Identity);
}

TEST_CASE("charset conversion to UTF-8, characters split across chunks", "[search]") {
    struct Case {
        std::string charset, in, out;
    } cases[] = {
        {"ISO-8859-1", "caf\xE9", "caf\xC3\xA9"},
        {"iso-8859-7", "\xD3\xE9", "\xCE\xA3\xCE\xB9"},                  // Σι
        {"KOI8-R", "\xF0\xD2\xC9\xD7\xC5\xD4", "Привет"},
        {"Shift_JIS", "\x93\xFA\x96\x7B", "日本"},
        {"utf-8", "Gr\xC3\xBC\xC3\x9F" "e", "Grüße"},
        {"UTF-8", "bad \xFF byte", "bad \xEF\xBF\xBD byte"},
        {"", "Gr\xC3\xBC\xC3\x9F" "e", "Grüße"},                          // absent: UTF-8
        {"x-unknown-charset", "ok \xE9", "ok \xEF\xBF\xBD"},              // unknown: UTF-8
        {"utf-8", "cut \xE2\x82", "cut \xEF\xBF\xBD\xEF\xBF\xBD"},        // truncated at the end
    };
    for (const auto& c : cases) {
        for (size_t step : {1, 2, 3, 1000}) {
            INFO(c.charset << " step " << step);
            CHECK(convert(c.charset, c.in, step) == c.out);
        }
    }
}

TEST_CASE("simple case folding", "[search]") {
    struct Case {
        std::string in, out;
    } cases[] = {
        {"Hello WORLD", "hello world"},
        {"ÀÉÎÕÜ ÇÑ", "àéîõü çñ"},
        {"ΣΊΣΥΦΟΣ σίσυφος", "σίσυφοσ σίσυφοσ"},  // final sigma folds to sigma
        {"ПРИВЕТ Ёж", "привет ёж"},
        {"Straße", "straße"},  // simple folding: ß stays (full folding would give ss)
        {"\xFF raw", "\xFF raw"},
    };
    for (const auto& c : cases) CHECK(fold_case(c.in) == c.out);
}

TEST_CASE("matcher finds needles across chunk boundaries", "[search]") {
    std::string text = "The Quick brown FOX jumps over the lazy dog; Σίσυφος";
    struct Case {
        std::string needle;
        bool found;
    } cases[] = {
        {"quick brown", true}, {"fox JUMPS", true}, {"dog; σΊσυφοσ", true},
        {"", true},            {"cat", false},      {"lazy  dog", false},
    };
    std::vector<std::string> needles;
    for (const auto& c : cases) needles.push_back(c.needle);
    // Every split of the text into two chunks (at character boundaries).
    for (size_t cut = 0; cut <= text.size(); ++cut) {
        if (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) continue;
        TextMatcher m(needles);
        m.feed(std::string_view(text).substr(0, cut));
        m.feed(std::string_view(text).substr(cut));
        for (size_t i = 0; i < needles.size(); ++i) {
            INFO(needles[i] << " cut " << cut);
            CHECK(m.found(i) == cases[i].found);
        }
    }
    TextMatcher m({"ab"});
    m.feed("xa");
    m.boundary();  // another part: no match across
    m.feed("bx");
    CHECK_FALSE(m.found(0));
    m.feed("ab");
    CHECK(m.all_found());
}
