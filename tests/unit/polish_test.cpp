// Small correctness items: the user's special uses follow a RENAME, and a
// Store with index_dir set opens unix mailboxes whose index and journal go
// there, not beside the mailbox.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "index/index_path.hpp"
#include "mailbox/special_use.hpp"
#include "mailbox/store.hpp"

using namespace mail;
namespace fs = std::filesystem;

namespace {

struct ScratchDir {
    fs::path path;
    explicit ScratchDir(const std::string& tag)
        : path(fs::temp_directory_path() / ("polish-" + tag + "-" + std::to_string(::getpid()))) {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~ScratchDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("special uses follow RENAME, children too", "[polish]") {
    struct Case {
        SpecialUseMap before;
        std::string from, to;
        SpecialUseMap after;
    };
    const Case cases[] = {
        {{{"Bin", {"\\Trash"}}}, "Bin", "Waste", {{"Waste", {"\\Trash"}}}},
        {{{"a", {"\\Archive"}}, {"a/b", {"\\Drafts"}}, {"ab", {"\\Sent"}}},
         "a",
         "z/a",
         {{"z/a", {"\\Archive"}}, {"z/a/b", {"\\Drafts"}}, {"ab", {"\\Sent"}}}},  // "ab" is not below "a"
        {{{"a/b", {"\\Junk"}}}, "a", "c", {{"c/b", {"\\Junk"}}}},                // only a child had a use
        {{{"Sent", {"\\Sent"}}}, "Other", "New", {{"Sent", {"\\Sent"}}}},          // nothing to move
        {{{"INBOX", {"\\All"}}, {"INBOX/x", {"\\Junk"}}}, "inbox", "Old",          // INBOX stays INBOX
         {{"INBOX", {"\\All"}}, {"INBOX/x", {"\\Junk"}}}},
    };
    ScratchDir dir("special-use");
    StoreLocation loc{"maildir", dir.path.string(), "", ""};
    Store store(loc);
    for (const Case& c : cases) {
        INFO(c.from << " -> " << c.to);
        save_special_use(special_use_file(loc), c.before);
        rename_user_special_use(store, c.from, c.to);
        CHECK(load_special_use(special_use_file(loc)) == c.after);
    }
    // DELETE forgets the name only.
    save_special_use(special_use_file(loc), {{"a", {"\\Archive"}}, {"a/b", {"\\Drafts"}}});
    set_user_special_use(store, "a", {});
    CHECK(load_special_use(special_use_file(loc)) == SpecialUseMap{{"a/b", {"\\Drafts"}}});
}

TEST_CASE("a unix mailbox opened by a Store with index_dir keeps its index there", "[polish]") {
    ScratchDir dir("index-dir");
    fs::path root = dir.path / "mail", index = dir.path / "index";
    fs::create_directories(root);
    StoreLocation loc{"unix", root.string(), (dir.path / "INBOX").string(), index.string()};
    Store store(loc);
    store.create("Folder");
    {
        auto box = store.open("Folder", OpenMode::ReadWrite);
        AppendRequest req;
        auto sink = box->append(req);
        sink->write("Subject: one\n\nbody\n");
        sink->commit();
    }
    { auto again = store.open("Folder", OpenMode::ReadWrite); }
    CHECK_FALSE(fs::exists(root / ".imapd"));
    CHECK(fs::exists(index_file_path((root / "Folder").string(), loc.index_dir, "index")));
}
