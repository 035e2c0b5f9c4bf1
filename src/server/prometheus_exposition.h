// PrometheusText: writes the Prometheus text exposition format (version 0.0.4): one HELP and
// one TYPE line per metric family, then its samples, with label values and help text escaped
// as the format requires (backslash, double quote, newline). Values print as Go's ParseFloat
// reads them, with NaN/+Inf/-Inf spelled the Prometheus way.
//
// Value type; not thread-safe (one writer per scrape).
//
//   PrometheusText out;
//   out.family("memlens_leaks", "Detected leaks.", "gauge");
//   out.sample("memlens_leaks", {{"type", "buffer_leak"}, {"severity", "high"}}, 2);
//   std::string body = out.text();
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace memlens::server {

using Label = std::pair<std::string_view, std::string>;

class PrometheusText {
 public:
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  void family(std::string_view name, std::string_view help, std::string_view type);
  void sample(std::string_view name, const std::vector<Label>& labels, double value);
  void sample(std::string_view name, double value) { sample(name, {}, value); }
  const std::string& text() const { return out_; }

  static std::string escape_label_value(std::string_view value);
  static std::string escape_help(std::string_view help);
  static std::string format_value(double value);

 private:
  std::string out_;
};

}  // namespace memlens::server
