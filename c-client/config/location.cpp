#include "config/location.hpp"

#include "config/config_error.hpp"

namespace mail {
namespace {

constexpr std::string_view kFormats[] = {"mbx", "unix", "maildir"};

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Splits at single ':' characters; "::" stands for a ':' inside a part.
std::vector<std::string> split_fields(std::string_view text) {
    std::vector<std::string> fields(1);
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != ':') {
            fields.back() += text[i];
        } else if (i + 1 < text.size() && text[i + 1] == ':') {
            fields.back() += ':';
            ++i;
        } else {
            fields.emplace_back();
        }
    }
    return fields;
}

bool user_is_safe(std::string_view user) {
    return !user.empty() && user != "." && user != ".." &&
           user.find('/') == std::string_view::npos && user.find('\0') == std::string_view::npos;
}

// Expands (or, with vars null, only checks) a path template.
std::string expand(std::string_view tmpl, const UserVars* vars) {
    std::string out;
    auto need_user = [&] {
        if (vars && !user_is_safe(vars->user))
            throw ConfigError("user name " + quoted(vars->user) + " cannot be used in a path");
    };
    auto need_home = [&] {
        if (vars && (vars->home.empty() || vars->home[0] != '/'))
            throw ConfigError("home directory " + quoted(vars->home) + " is not an absolute path");
    };
    size_t i = 0;
    if (tmpl == "~" || tmpl.starts_with("~/")) {
        need_home();
        if (vars) out += vars->home;
        i = 1;
    }
    for (; i < tmpl.size(); ++i) {
        char c = tmpl[i];
        if (c != '%') {
            out += c;
            continue;
        }
        if (i + 1 == tmpl.size()) throw ConfigError("a lone '%' at the end of " + quoted(tmpl));
        char v = tmpl[++i];
        switch (v) {
        case '%':
            out += '%';
            break;
        case 'u':
            need_user();
            if (vars) out += vars->user;
            break;
        case 'h':
            need_home();
            if (vars) out += vars->home;
            break;
        case '1':
            need_user();
            if (vars) out += vars->user[0];
            break;
        case '2':
            // A one-letter user gets "_": Dovecot's %1.1n would give an empty
            // level, putting user "a"'s folders in the directory that holds
            // the users "aa", "ab"...
            need_user();
            if (vars) out += vars->user.size() > 1 ? vars->user[1] : '_';
            break;
        default:
            throw ConfigError("unknown variable %" + std::string(1, v) + " in " + quoted(tmpl) +
                              " (known: %u %h %1 %2 %%)");
        }
    }
    return out;
}

}  // namespace

void check_path_template(std::string_view tmpl) { expand(tmpl, nullptr); }

std::string expand_path(std::string_view tmpl, const UserVars& vars) {
    return expand(tmpl, &vars);
}

LocationTemplate parse_location(std::string_view text) {
    std::vector<std::string> fields = split_fields(text);
    if (fields.size() < 2)
        throw ConfigError("mail location " + quoted(text) +
                          " is not FORMAT:PATH (FORMAT one of mbx, unix, maildir)");
    LocationTemplate loc;
    loc.format = fields[0] == "mbox" ? "unix" : fields[0];
    bool known = false;
    for (std::string_view f : kFormats) known = known || loc.format == f;
    if (!known)
        throw ConfigError("unknown mailbox format " + quoted(fields[0]) +
                          " (known: mbx, unix, maildir)");
    loc.root = fields[1];
    if (loc.root.empty()) throw ConfigError("mail location " + quoted(text) + " has no path");
    check_path_template(loc.root);
    for (size_t i = 2; i < fields.size(); ++i) {
        const std::string& f = fields[i];
        if (!f.starts_with("INBOX="))
            throw ConfigError("unknown mail location parameter " + quoted(f) + " (known: INBOX=)");
        if (!loc.inbox.empty()) throw ConfigError("INBOX= given twice in " + quoted(text));
        loc.inbox = f.substr(6);
        if (loc.inbox.empty()) throw ConfigError("INBOX= without a path in " + quoted(text));
        check_path_template(loc.inbox);
    }
    return loc;
}

ExpandedLocation expand_location(const LocationTemplate& loc, const UserVars& vars) {
    ExpandedLocation out;
    out.format = loc.format;
    out.root = expand_path(loc.root, vars);
    if (!loc.inbox.empty())
        out.inbox = expand_path(loc.inbox, vars);
    else if (loc.format == "maildir")
        out.inbox = out.root;
    else
        out.inbox = out.root + "/inbox";
    return out;
}

ExpandedLocation resolve_location(std::string_view configured, const UserVars& vars,
                                  const char* mail_env) {
    ExpandedLocation conf = expand_location(parse_location(configured), vars);
    if (!mail_env || !*mail_env) return conf;
    std::string_view env = mail_env;
    if (env[0] != '/' && env[0] != '~' && env[0] != '%') {
        try {
            return expand_location(parse_location(env), vars);
        } catch (const ConfigError& e) {
            throw ConfigError(std::string("MAIL: ") + e.what());
        }
    }
    std::string path = expand_path(env, vars);
    std::string format = detect_mailbox_format(path);
    if (format == "?") throw ConfigError("MAIL: cannot tell the mailbox format of " + quoted(path));
    if (format == "maildir") return {format, path, path, ""};
    if (format.empty()) format = conf.format;
    std::string root = format == conf.format ? conf.root : expand_path("~/mail", vars);
    return {format, root, path, ""};
}

}  // namespace mail
