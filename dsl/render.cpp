#include "dsl/render.hpp"

#include "base/json_escape.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

namespace skippy::dsl {
namespace {

constexpr std::size_t kMaxShownLine = 160;

struct Located {
  std::string path;
  LineColumn begin;
  LineColumn end;
};

Located locate(const SourceManager& sources, Span span) {
  const SourceFile& file = sources.file(span.file);
  return Located{file.path(), file.line_column(span.begin), file.line_column(span.end)};
}

std::string position(const Located& l) {
  return l.path + ":" + std::to_string(l.begin.line) + ":" + std::to_string(l.begin.column);
}

// The source line under a diagnostic and a caret line below it. Long lines are cut around
// the column; control characters print as spaces so the caret stays aligned.
void show_source(std::string& out, const SourceManager& sources, Span span) {
  const SourceFile& file = sources.file(span.file);
  if (file.text().empty()) return;
  LineColumn begin = file.line_column(span.begin);
  LineColumn end = file.line_column(span.end);
  std::string_view text = file.line_text(begin.line);
  std::size_t caret_column = begin.column - 1;  // in code points
  std::size_t caret_width =
      end.line == begin.line && end.column > begin.column ? end.column - begin.column : 1;
  // Work in bytes of the line, counting code points for the caret.
  std::string shown;
  std::size_t skipped_points = 0;
  std::size_t points = 0;
  std::size_t start_point = caret_column > kMaxShownLine / 2 ? caret_column - kMaxShownLine / 2 : 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    bool starts_point = (c & 0xC0u) != 0x80u;
    if (starts_point) ++points;
    if (points <= start_point) {
      if (starts_point) ++skipped_points;
      continue;
    }
    if (points - start_point > kMaxShownLine) break;
    shown.push_back(c < 0x20 || c == 0x7F ? ' ' : static_cast<char>(c));
  }
  std::string gutter = std::to_string(begin.line);
  out += std::string(gutter.size() + 1, ' ') + "|\n";
  out += gutter + " | " + (start_point ? "..." : "") + shown + "\n";
  out += std::string(gutter.size() + 1, ' ') + "| " + std::string(start_point ? 3 : 0, ' ') +
         std::string(caret_column - skipped_points, ' ') +
         std::string(std::min<std::size_t>(caret_width, kMaxShownLine), '^') + "\n";
}

std::string sarif_region(const Located& l) {
  return "{\"startLine\":" + std::to_string(l.begin.line) +
         ",\"startColumn\":" + std::to_string(l.begin.column) +
         ",\"endLine\":" + std::to_string(l.end.line) +
         ",\"endColumn\":" + std::to_string(std::max(l.end.column, l.begin.column + 1)) + "}";
}

std::string sarif_location(const Located& l) {
  return "{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"" + base::json_escape(l.path) +
         "\"},\"region\":" + sarif_region(l) + "}}";
}

}  // namespace

std::string render_text(const Diagnostics& diagnostics, const SourceManager& sources,
                        TextStyle style) {
  std::string out;
  const char* bold = style.color ? "\033[1m" : "";
  const char* reset = style.color ? "\033[0m" : "";
  for (const auto& d : diagnostics.all()) {
    const char* tint = !style.color                    ? ""
                       : d.severity == Severity::Error ? "\033[1;31m"
                                                       : "\033[1;33m";
    Located l = locate(sources, d.span);
    out += std::string(bold) + position(l) + ": " + reset + tint +
           std::string(severity_name(d.severity)) + "[" + std::string(diag_info(d.code).code) +
           "]" + reset + bold + ": " + d.message + reset + "\n";
    show_source(out, sources, d.span);
    for (const auto& n : d.notes) {
      if (n.span) {
        out += position(locate(sources, *n.span)) + ": note: " + n.message + "\n";
        show_source(out, sources, *n.span);
      } else {
        out += "  = note: " + n.message + "\n";
      }
    }
  }
  return out;
}

std::string render_json(const Diagnostics& diagnostics, const SourceManager& sources) {
  std::string out = "{\"diagnostics\":[";
  std::size_t warnings = 0;
  bool first = true;
  for (const auto& d : diagnostics.all()) {
    if (d.severity == Severity::Warning) ++warnings;
    Located l = locate(sources, d.span);
    out += first ? "" : ",";
    first = false;
    out += "{\"code\":\"" + std::string(diag_info(d.code).code) + "\",\"severity\":\"" +
           std::string(severity_name(d.severity)) + "\",\"message\":\"" +
           base::json_escape(d.message) + "\",\"file\":\"" + base::json_escape(l.path) +
           "\",\"line\":" + std::to_string(l.begin.line) +
           ",\"column\":" + std::to_string(l.begin.column) +
           ",\"end_line\":" + std::to_string(l.end.line) +
           ",\"end_column\":" + std::to_string(l.end.column) + ",\"notes\":[";
    for (std::size_t i = 0; i < d.notes.size(); ++i) {
      const auto& n = d.notes[i];
      out += i ? "," : "";
      out += "{\"message\":\"" + base::json_escape(n.message) + "\"";
      if (n.span) {
        Located nl = locate(sources, *n.span);
        out += ",\"file\":\"" + base::json_escape(nl.path) +
               "\",\"line\":" + std::to_string(nl.begin.line) +
               ",\"column\":" + std::to_string(nl.begin.column);
      }
      out += "}";
    }
    out += "]}";
  }
  out += "],\"errors\":" + std::to_string(diagnostics.error_count()) +
         ",\"warnings\":" + std::to_string(warnings) + "}\n";
  return out;
}

std::string render_sarif(const Diagnostics& diagnostics, const SourceManager& sources,
                         std::string_view tool_version) {
  std::set<DiagCode> used;
  for (const auto& d : diagnostics.all()) used.insert(d.code);
  std::string rules;
  std::vector<DiagCode> rule_order(used.begin(), used.end());
  for (std::size_t i = 0; i < rule_order.size(); ++i) {
    const auto& info = diag_info(rule_order[i]);
    rules += i ? "," : "";
    rules += "{\"id\":\"" + std::string(info.code) + "\",\"shortDescription\":{\"text\":\"" +
             base::json_escape(info.summary) + "\"},\"defaultConfiguration\":{\"level\":\"" +
             std::string(severity_name(info.severity)) + "\"}}";
  }
  std::string results;
  bool first = true;
  for (const auto& d : diagnostics.all()) {
    auto index =
        std::distance(rule_order.begin(), std::find(rule_order.begin(), rule_order.end(), d.code));
    std::string message = d.message;
    for (const auto& n : d.notes) message += "\n" + n.message;
    results += first ? "" : ",";
    first = false;
    results += "{\"ruleId\":\"" + std::string(diag_info(d.code).code) +
               "\",\"ruleIndex\":" + std::to_string(index) + ",\"level\":\"" +
               std::string(severity_name(d.severity)) + "\",\"message\":{\"text\":\"" +
               base::json_escape(message) + "\"},\"locations\":[" +
               sarif_location(locate(sources, d.span)) + "]";
    std::string related;
    int id = 0;
    for (const auto& n : d.notes) {
      if (!n.span) continue;
      Located nl = locate(sources, *n.span);
      related += related.empty() ? "" : ",";
      related += "{\"id\":" + std::to_string(id++) + ",\"message\":{\"text\":\"" +
                 base::json_escape(n.message) +
                 "\"},\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"" +
                 base::json_escape(nl.path) + "\"},\"region\":" + sarif_region(nl) + "}}";
    }
    if (!related.empty()) results += ",\"relatedLocations\":[" + related + "]";
    results += "}";
  }
  return "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\","
         "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"skippy\",\"version\":\"" +
         base::json_escape(tool_version) + "\",\"rules\":[" + rules +
         "]}},\"columnKind\":\"unicodeCodePoints\",\"results\":[" + results + "]}]}\n";
}

}  // namespace skippy::dsl
