#include "args.hpp"

namespace mail::dmail {

std::vector<std::string> split_keywords(std::string_view text) {
    std::vector<std::string> out;
    std::string word;
    for (char c : text) {
        if (c == ' ' || c == ',' || c == '\t') {
            if (!word.empty()) out.push_back(std::move(word));
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) out.push_back(std::move(word));
    return out;
}

bool is_valid_keyword(std::string_view word) {
    if (word.empty() || word.size() > 64) return false;
    for (unsigned char c : word)
        if (c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' || c == '"' ||
            c == '\\' || c == ']')
            return false;
    return true;
}

ParsedArgs parse_args(const std::vector<std::string_view>& argv) {
    ParsedArgs r;
    Args& a = r.args;
    bool have_from = false, have_folder = false, options_done = false;
    for (size_t i = 0; i < argv.size(); ++i) {
        std::string_view arg = argv[i];
        if (!options_done && arg == "--") {
            options_done = true;
            continue;
        }
        if (!options_done && arg.size() >= 2 && arg[0] == '-') {
            char opt = arg[1];
            if (opt == 'D' && arg.size() == 2) {
                a.debug = true;
                continue;
            }
            if (opt != 'c' && opt != 'f' && opt != 'r' && opt != 'k' && opt != 'I') {
                r.error = "unknown option " + std::string(arg);
                return r;
            }
            // The value is the rest of the word (-fFROM) or the next word.
            std::string_view value;
            if (arg.size() > 2) {
                value = arg.substr(2);
            } else if (i + 1 < argv.size()) {
                value = argv[++i];
            } else {
                r.error = std::string("option -") + opt + " needs a value";
                return r;
            }
            switch (opt) {
            case 'c': a.config_path = value; break;
            case 'I': a.inbox = value; break;
            case 'k':
                for (auto& k : split_keywords(value)) a.keywords.push_back(std::move(k));
                break;
            default:  // -f, -r
                if (have_from) {
                    r.error = "only one of -f and -r, once";
                    return r;
                }
                have_from = true;
                a.from = value;
                break;
            }
            if (value.empty() && opt != 'k') {
                r.error = std::string("option -") + opt + " needs a value";
                return r;
            }
            continue;
        }
        if (!arg.empty() && arg[0] == '+') {
            if (have_folder) {
                r.error = "only one +FOLDER";
                return r;
            }
            have_folder = true;
            a.folder = arg.substr(1);
            if (a.folder.empty()) {
                r.error = "+ needs a folder name";
                return r;
            }
            continue;
        }
        if (arg.empty() || !a.user.empty()) {
            r.error = arg.empty() ? "empty argument" : "only one USER";
            return r;
        }
        a.user = arg;
    }
    return r;
}

}  // namespace mail::dmail
