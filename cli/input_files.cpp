#include <algorithm>
#include <filesystem>

#include "cli/commands.hpp"

namespace skippy::cli {

std::vector<std::string> expand_inputs(const std::vector<std::string>& paths, std::string& error) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& path : paths) {
    std::error_code ec;
    if (path != "-" && fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".skippy") {
          found.push_back(it->path().string());
        }
      }
      if (ec) {
        error = "cannot list `" + path + "`: " + ec.message();
        return {};
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(path);
    }
  }
  return out;
}

}  // namespace skippy::cli
