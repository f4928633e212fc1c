// imapstat: reads imapd's session-end log lines and reports how the server
// is used (see docs/imapstat.1).
#include <iostream>

#include "tools/imapstat/log_line.hpp"
#include "tools/imapstat/log_reader.hpp"
#include "tools/imapstat/options.hpp"
#include "tools/imapstat/report.hpp"

using namespace mail::imapstat;

namespace {
constexpr size_t kMalformedExamples = 5;
}

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    std::string error;
    auto options = parse_options(std::vector<std::string>(argv + 1, argv + argc), error);
    if (!options) {
        std::cerr << "imapstat: " << error << "\n" << kUsage;
        return 2;
    }
    if (options->help) {
        std::cout << kUsage;
        return 0;
    }
    std::vector<std::string> files = options->files;
    if (files.empty()) {
        files = rotated_files("/var/log/mail.log");
        if (files.empty()) {
            std::cerr << "imapstat: no /var/log/mail.log or rotations of it; name the log files\n";
            return 1;
        }
    }

    Stats stats;
    LineCounts counts;
    int status = 0;
    for (const std::string& path : files) {
        std::time_t mtime = 0;
        uint64_t line_number = 0;
        std::string err = read_lines(path, mtime, [&](std::string_view text) {
            ++counts.lines;
            ++line_number;
            LogLine line = parse_log_line(text, mtime);
            if (line.kind == LineKind::Other) return;
            if (line.kind == LineKind::Malformed) {
                ++counts.malformed;
                if (counts.malformed_examples.size() < kMalformedExamples)
                    counts.malformed_examples.push_back(path + ":" + std::to_string(line_number));
                return;
            }
            std::time_t start = line.session.connect;
            if ((options->since && start < *options->since) ||
                (options->until && start >= *options->until)) {
                ++counts.out_of_range;
                return;
            }
            ++counts.sessions;
            stats.add(line.session);
        });
        if (!err.empty()) {
            std::cerr << "imapstat: " << err << "\n";
            status = 1;
        }
    }
    stats.finish();

    Report report{stats, counts, options->top};
    switch (options->format) {
    case Format::Text: write_text(std::cout, report); break;
    case Format::Json: write_json(std::cout, report); break;
    case Format::Csv: write_csv(std::cout, report); break;
    case Format::Html:
        if (auto e = write_html(options->html_dir, report); !e.empty()) {
            std::cerr << "imapstat: " << e << "\n";
            return 1;
        }
        break;
    }
    std::cout.flush();
    if (!std::cout) {
        std::cerr << "imapstat: cannot write the report\n";
        return 1;
    }
    return status;
}
