#include "tests/layers/layers.hpp"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

namespace skippy::layers {
namespace {

std::string trim(std::string s) {
  auto first = s.find_first_not_of(" \t`");
  if (first == std::string::npos) return "";
  auto last = s.find_last_not_of(" \t`");
  return s.substr(first, last - first + 1);
}

bool allows(const std::vector<std::string>& rules, const std::string& folder) {
  for (const auto& rule : rules) {
    if (rule == folder) return true;
    if (rule.ends_with("/*") && folder.starts_with(rule.substr(0, rule.size() - 1))) return true;
  }
  return false;
}

}  // namespace

Table parse_table(const std::string& markdown) {
  Table table;
  std::istringstream in(markdown);
  std::string line;
  bool inside = false, seen = false;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find("<!-- layers:begin -->") != std::string::npos) {
      inside = seen = true;
      continue;
    }
    if (line.find("<!-- layers:end -->") != std::string::npos) {
      inside = false;
      continue;
    }
    if (!inside || !line.starts_with("|")) continue;
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream row(line.substr(1));
    while (std::getline(row, cell, '|')) cells.push_back(trim(cell));
    if (cells.size() < 2 || cells[0] == "folder" || cells[0].starts_with("-")) continue;
    std::vector<std::string> rules;
    std::istringstream list(cells[1]);
    std::string rule;
    while (std::getline(list, rule, ',')) {
      rule = trim(rule);
      if (!rule.empty() && rule != "nothing") rules.push_back(rule);
    }
    if (!table.allowed.emplace(cells[0], std::move(rules)).second)
      table.problems.push_back("line " + std::to_string(number) + ": `" + cells[0] +
                               "` has two rows");
  }
  if (!seen) table.problems.push_back("no `<!-- layers:begin -->` table");
  if (seen && table.allowed.empty()) table.problems.push_back("the table has no rows");
  return table;
}

std::string folder_of(const Table& table, const std::string& path) {
  std::string best;
  for (const auto& [folder, rules] : table.allowed) {
    if ((path == folder || path.starts_with(folder + "/")) && folder.size() > best.size())
      best = folder;
  }
  return best;
}

std::vector<Violation> check_tree(const std::filesystem::path& root, const Table& table) {
  namespace fs = std::filesystem;
  static const std::regex include_line(R"(^\s*#\s*include\s*"([^"]+)\")");
  std::vector<Violation> out;
  std::vector<std::string> tops;
  for (const auto& [folder, rules] : table.allowed) {
    auto top = folder.substr(0, folder.find('/'));
    if (std::find(tops.begin(), tops.end(), top) == tops.end()) tops.push_back(top);
  }
  for (const auto& top : tops) {
    std::error_code ec;
    if (!fs::is_directory(root / top, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(root / top, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      auto ext = it->path().extension();
      if (!it->is_regular_file() || (ext != ".hpp" && ext != ".cpp" && ext != ".def")) continue;
      std::string file = fs::relative(it->path(), root).generic_string();
      std::string from = folder_of(table, file);
      std::ifstream in(it->path());
      std::string line;
      std::size_t number = 0;
      while (std::getline(in, line)) {
        ++number;
        std::smatch m;
        if (!std::regex_search(line, m, include_line)) continue;
        std::string include = m[1];
        if (include.find('/') == std::string::npos) continue;  // beside the file
        std::string to = folder_of(table, include);
        if (to.empty()) {
          // A path of the repository outside every folder of the table is a layer nobody
          // placed; anything else (a library's header found through -I) is not ours to judge.
          if (fs::exists(root / include))
            out.push_back({file, number, include,
                           "includes `" + include + "`, whose folder is not in the layer table"});
          continue;
        }
        if (to == from || allows(table.allowed.at(from), to)) continue;
        out.push_back({file, number, include,
                       "`" + from + "` may not include `" + include + "` (layer `" + to +
                           "`); docs/design.md lists what it may use"});
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Violation& a, const Violation& b) { return a.text() < b.text(); });
  return out;
}

}  // namespace skippy::layers
