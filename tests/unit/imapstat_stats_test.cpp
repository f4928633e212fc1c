#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "tools/imapstat/concurrency.hpp"
#include "tools/imapstat/stats.hpp"

using namespace mail::imapstat;

namespace {

struct Span {
    std::time_t start, end;
};

int brute_peak(const std::vector<Span>& spans) {
    int best = 0;
    for (const auto& a : spans) {
        int n = 0;
        for (const auto& b : spans) n += b.start <= a.start && a.start < b.end;
        best = std::max(best, n);
    }
    return best;
}

}  // namespace

TEST_CASE("imapstat concurrency: table of small cases", "[imapstat]") {
    struct Case {
        std::vector<Span> spans;  // in the order they are logged (by end)
        int peak;
    };
    const Case cases[] = {
        {{}, 0},
        {{{100, 110}}, 1},
        {{{100, 110}, {110, 120}}, 1},           // back to back: never together
        {{{100, 111}, {110, 120}}, 2},
        {{{105, 106}, {100, 200}, {150, 300}}, 2},
        {{{100, 100}}, 1},                       // a zero-length session holds its second
        {{{10, 20}, {11, 21}, {12, 22}, {30, 40}}, 3},
        // Logged long after it started, but within the window: exact.
        {{{1000, 1001}, {1002, 1003}, {0, 5000}}, 2},
    };
    for (const auto& c : cases) {
        ConcurrencyTracker t;
        for (const auto& s : c.spans) t.add(s.start, s.end);
        t.finish();
        CHECK(t.peak() == c.peak);
        CHECK(t.late() == 0);
    }
}

TEST_CASE("imapstat concurrency equals a brute-force count on random logs", "[imapstat]") {
    std::mt19937 rng(7);
    for (int round = 0; round < 20; ++round) {
        std::vector<Span> spans;
        std::time_t t = 1764111875;
        for (int i = 0; i < 400; ++i) {
            t += rng() % 40;
            spans.push_back({t, t + 1 + static_cast<std::time_t>(rng() % 3000)});
        }
        std::vector<Span> logged = spans;
        std::stable_sort(logged.begin(), logged.end(),
                         [](const Span& a, const Span& b) { return a.end < b.end; });
        ConcurrencyTracker tracker(3600);
        for (const auto& s : logged) tracker.add(s.start, s.end);
        tracker.finish();
        CHECK(tracker.late() == 0);
        CHECK(tracker.peak() == brute_peak(spans));
    }
}

TEST_CASE("imapstat concurrency: sessions longer than the window are counted as late",
          "[imapstat]") {
    ConcurrencyTracker t(100);
    t.add(0, 10);
    t.add(1000, 1010);
    t.add(5, 2000);  // started long before the window's edge
    t.finish();
    CHECK(t.late() == 1);
    CHECK(t.peak() >= 2);  // an upper bound; the truth is 2
}

TEST_CASE("imapstat statistics: totals, tables, buckets, ranking", "[imapstat]") {
    Stats s;
    auto session = [](std::string user, std::string host, std::time_t connect, double duration,
                      double cpu) {
        mail::imapd::SessionEnd e;
        e.user = std::move(user);
        e.host = std::move(host);
        e.connect = connect;
        e.duration = duration;
        e.utime = cpu;
        e.minflt = 10;
        e.majflt = 1;
        e.maxrss = 100;
        return e;
    };
    const std::time_t h = 1764111600;  // 2025-11-25T23:00:00Z
    s.add(session("fred", "a", h + 10, 0.5, 1.0));
    s.add(session("fred", "b", h + 20, 30, 0.5));
    s.add(session("ann", "a", h + 3600, 4000, 3.0));
    s.add(session("", "c", h + 3700, 9 * 3600, 0.0));
    s.finish();
    CHECK(s.sessions == 4);
    CHECK(s.without_login == 1);
    CHECK(s.users.size() == 2);
    CHECK(s.hosts.size() == 3);
    CHECK(s.connect_total == Approx(0.5 + 30 + 4000 + 9 * 3600));
    CHECK(s.cpu_total() == Approx(4.5));
    CHECK(s.minflt == 40);
    CHECK(s.majflt == 4);
    CHECK(s.lengths == std::array<uint64_t, 7>{1, 0, 1, 0, 0, 1, 1});
    CHECK(s.concurrency.peak() == 2);
    CHECK(s.first_start == h + 10);
    CHECK(s.last_end == h + 3700 + 9 * 3600);

    auto by_sessions = ranked(s.users, Order::Sessions, 0);
    REQUIRE(by_sessions.size() == 2);
    CHECK(by_sessions[0].first == "fred");
    CHECK(by_sessions[0].second.sessions == 2);
    auto by_cpu = ranked(s.users, Order::Cpu, 1);
    REQUIRE(by_cpu.size() == 1);
    CHECK(by_cpu[0].first == "ann");
    auto hosts = ranked(s.hosts, Order::Sessions, 0);
    CHECK(hosts[0].first == "a");  // 2 sessions
    CHECK(hosts[1].first == "b");  // ties broken by name
    CHECK(hosts[2].first == "c");

    const auto& hours = s.hours();
    REQUIRE(hours.count(h / 3600));
    CHECK(hours.at(h / 3600).sessions == 2);
    CHECK(hours.at(h / 3600).cpu == Approx(1.5));
    CHECK(hours.at(h / 3600 + 1).peak == 2);
}
