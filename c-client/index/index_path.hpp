// Where the library keeps its own per-mailbox files (the cache of parsed
// data, the modification sequences of CONDSTORE): files no other program
// reads, named by a kind ("cache", "modseq") and found from the mailbox's
// path and the configuration key index_dir.
//
//   index_dir empty, maildir  MAILDIR/imapd-KIND (inside the maildir)
//   index_dir empty, file     DIR/.imapd/FILE.KIND (a hidden directory beside
//                             the mailbox file; LIST skips dot names)
//   index_dir set             INDEX_DIR/ESCAPED.KIND, ESCAPED the absolute
//                             mailbox path with '%' as %25 and '/' as %2F
//                             (a hash when that would be too long a name)
#pragma once

#include <string>
#include <string_view>

namespace mail {

// The path of the mailbox's file of this kind. Pure but for a stat() that
// tells a maildir from a mailbox file.
std::string index_file_path(const std::string& mailbox_path, std::string_view index_dir,
                            std::string_view kind);

// Creates the directory that index_file_path's file goes in (mode 0700) when
// it is missing. Returns false when it cannot (e.g. a spool directory the
// user may not write): callers then work without the file.
bool make_index_dir(const std::string& index_file);

// Removes every index file of a mailbox file (DELETE), or renames them with
// it (RENAME); a maildir's files live inside it and need neither. Errors are
// ignored: the files are derived data or are rebuilt.
void remove_index_files(const std::string& mailbox_path, std::string_view index_dir);
void rename_index_files(const std::string& from_path, const std::string& to_path,
                        std::string_view index_dir);

}  // namespace mail
