// The layering rule the build enforces: every source file belongs to the folder of the table
// in docs/design.md that is the longest prefix of its path, and may include headers of its own
// folder and of the folders its row names ("runtime/*": every folder below runtime/). The
// table sits between the lines `<!-- layers:begin -->` and `<!-- layers:end -->`, one row
// `| folder | may include |` a folder, the includes separated by commas.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace skippy::layers {

struct Table {
  std::map<std::string, std::vector<std::string>> allowed;  // folder -> what it may include
  std::vector<std::string> problems;                        // rows that could not be read
};
Table parse_table(const std::string& markdown);

struct Violation {
  std::string file;  // relative to the root, with '/'
  std::size_t line = 0;
  std::string include;
  std::string why;
  std::string text() const { return file + ":" + std::to_string(line) + ": " + why; }
};

// The folder of the table a path belongs to ("" when none).
std::string folder_of(const Table& table, const std::string& path);

// Checks every .hpp, .cpp and .def file under the table's folders below `root`.
std::vector<Violation> check_tree(const std::filesystem::path& root, const Table& table);

}  // namespace skippy::layers
