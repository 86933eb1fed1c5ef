#include "bg/io/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "bg/error.h"
#include "bg/io/fileio.h"

namespace bg::svg {

namespace {

// Colours for series, chosen to stay distinguishable (a common qualitative palette).
constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                    "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

// A coordinate with one decimal: plenty for pixels, and short.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A tick label with as many decimals as the step needs (step 0.5 -> "2.5", step 1000 ->
// "3000").
std::string tick_label(double v, double step) {
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::fabs(v) < step * 1e-9 ? 0.0 : v);
  return buf;
}

std::string header(int width, int height) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
         "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) +
         " " + std::to_string(height) +
         "\" font-family=\"'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', "
         "'Microsoft YaHei', sans-serif\" font-size=\"12\">\n"
         "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
}

std::string text(double x, double y, std::string_view s, const std::string& extra = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"" + (extra.empty() ? "" : " " + extra) +
         ">" + escape(s) + "</text>\n";
}

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  // An empty range becomes [0, 1]; a single value gets some room around it.
  void settle() {
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (lo == hi) {
      const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
      lo -= pad, hi += pad;
    }
  }
};

// Label for a prompt character: whitespace made visible.
std::string show_label(const std::string& s) {
  if (s == "\n") return "\u21B5";  // ↵
  if (s == " ") return "\u2423";   // ␣
  if (s == "\t") return "\u21E5";  // ⇥
  return s;
}

// White (0) to dark blue (1).
std::string heat_colour(float v) {
  if (std::isnan(v)) return "#bbbbbb";
  const double t = std::clamp(static_cast<double>(v), 0.0, 1.0);
  const auto mix = [t](int from, int to) {
    return static_cast<int>(std::lround(from + (to - from) * t));
  };
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", mix(255, 8), mix(255, 48), mix(255, 107));
  return buf;
}

std::string value_str(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(v));
  return buf;
}

// One head's heatmap with its top-left corner at (x0, y0) (where the cells start).
std::string heatmap(const Heatmap& h, const std::vector<std::string>& labels, double x0, double y0,
                    int cell) {
  const size_t T = labels.size();
  std::string out = "<g class=\"head\">\n";
  out += text(x0 + cell * static_cast<double>(T) / 2, y0 - 30, h.title,
              "text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\"");
  for (size_t i = 0; i < T; ++i) {
    const double c = (static_cast<double>(i) + 0.5) * cell;
    out += text(x0 + c, y0 - 8, show_label(labels[i]), "text-anchor=\"middle\" class=\"key\"");
    out += text(x0 - 8, y0 + c + 4, show_label(labels[i]), "text-anchor=\"end\" class=\"query\"");
  }
  for (size_t q = 0; q < T; ++q) {
    for (size_t k = 0; k < T; ++k) {
      const float v = h.values[q * T + k];
      out += "<rect class=\"cell\" x=\"" + num(x0 + static_cast<double>(k) * cell) + "\" y=\"" +
             num(y0 + static_cast<double>(q) * cell) + "\" width=\"" + std::to_string(cell) +
             "\" height=\"" + std::to_string(cell) + "\" fill=\"" + heat_colour(v) + "\"><title>" +
             escape(show_label(labels[q])) + " \u2192 " + escape(show_label(labels[k])) + ": " +
             value_str(v) + "</title></rect>\n";
    }
  }
  out += "<rect x=\"" + num(x0) + "\" y=\"" + num(y0) + "\" width=\"" +
         std::to_string(cell * static_cast<int>(T)) + "\" height=\"" +
         std::to_string(cell * static_cast<int>(T)) + "\" fill=\"none\" stroke=\"#444\"/>\n";
  return out + "</g>\n";
}

}  // namespace

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
  // The step: range/target rounded to 1, 2 or 5 times a power of ten.
  const double raw = (hi - lo) / std::max(target, 1);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / power;
  const double step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * power;
  std::vector<double> ticks;
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  }
  return ticks;
}

std::string line_chart(const LineChart& chart) {
  Range xr, yr;
  for (const Series& s : chart.series) {
    if (s.x.size() != s.y.size()) {
      throw Error("line_chart: series \"" + s.name + "\" has " + std::to_string(s.x.size()) +
                  " x values but " + std::to_string(s.y.size()) + " y values");
    }
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (std::isfinite(s.y[i])) xr.add(s.x[i]), yr.add(s.y[i]);
    }
  }
  xr.settle();
  yr.settle();
  const std::vector<double> xt = nice_ticks(xr.lo, xr.hi), yt = nice_ticks(yr.lo, yr.hi);
  const double xstep = xt.size() > 1 ? xt[1] - xt[0] : 1, ystep = yt.size() > 1 ? yt[1] - yt[0] : 1;

  // The plot area, leaving margins for title, tick labels and axis labels.
  const double left = 70, right = chart.width - 20.0, top = 45, bottom = chart.height - 55.0;
  const auto px = [&](double x) { return left + (x - xr.lo) / (xr.hi - xr.lo) * (right - left); };
  const auto py = [&](double y) { return bottom - (y - yr.lo) / (yr.hi - yr.lo) * (bottom - top); };

  std::string out = header(chart.width, chart.height);
  out += text(chart.width / 2.0, 25, chart.title,
              "text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\"");
  // Grid lines and tick labels.
  for (double v : xt) {
    out += "<line x1=\"" + num(px(v)) + "\" y1=\"" + num(top) + "\" x2=\"" + num(px(v)) +
           "\" y2=\"" + num(bottom) + "\" stroke=\"#e5e5e5\"/>\n";
    out += text(px(v), bottom + 18, tick_label(v, xstep), "text-anchor=\"middle\" class=\"tick\"");
  }
  for (double v : yt) {
    out += "<line x1=\"" + num(left) + "\" y1=\"" + num(py(v)) + "\" x2=\"" + num(right) +
           "\" y2=\"" + num(py(v)) + "\" stroke=\"#e5e5e5\"/>\n";
    out += text(left - 8, py(v) + 4, tick_label(v, ystep), "text-anchor=\"end\" class=\"tick\"");
  }
  // Axes and their labels.
  out += "<polyline points=\"" + num(left) + "," + num(top) + " " + num(left) + "," + num(bottom) +
         " " + num(right) + "," + num(bottom) + "\" fill=\"none\" stroke=\"#333\"/>\n";
  out += text((left + right) / 2, chart.height - 15.0, chart.x_label, "text-anchor=\"middle\"");
  out +=
      text(18, (top + bottom) / 2, chart.y_label,
           "text-anchor=\"middle\" transform=\"rotate(-90 18 " + num((top + bottom) / 2) + ")\"");
  // One polyline per unbroken run of finite points.
  for (size_t s = 0; s < chart.series.size(); ++s) {
    const Series& series = chart.series[s];
    const std::string colour = kPalette[s % std::size(kPalette)];
    std::string points;
    const auto flush = [&] {
      if (!points.empty()) {
        out += "<polyline class=\"series\" points=\"" + points + "\" fill=\"none\" stroke=\"" +
               colour + "\" stroke-width=\"1.8\"/>\n";
      }
      points.clear();
    };
    for (size_t i = 0; i < series.x.size(); ++i) {
      if (!std::isfinite(series.x[i]) || !std::isfinite(series.y[i])) {
        flush();
        continue;
      }
      if (!points.empty()) points += ' ';
      points += num(px(series.x[i])) + "," + num(py(series.y[i]));
    }
    flush();
    // Legend entry, top right.
    const double ly = top + 14 + 18.0 * static_cast<double>(s);
    out += "<line x1=\"" + num(right - 150) + "\" y1=\"" + num(ly - 4) + "\" x2=\"" +
           num(right - 126) + "\" y2=\"" + num(ly - 4) + "\" stroke=\"" + colour +
           "\" stroke-width=\"3\"/>\n";
    out += text(right - 120, ly, series.name, "class=\"legend\"");
  }
  return out + "</svg>\n";
}

std::string attention_grid(const AttentionGrid& grid) {
  const size_t T = grid.labels.size();
  for (const Heatmap& h : grid.heads) {
    if (h.values.size() != T * T) {
      throw Error("attention_grid: \"" + h.title + "\" has " + std::to_string(h.values.size()) +
                  " values, but " + std::to_string(T) + " labels need " + std::to_string(T) + "x" +
                  std::to_string(T) + " = " + std::to_string(T * T));
    }
  }
  const int n = static_cast<int>(grid.heads.size());
  const int columns = std::max(1, grid.columns > 0 ? grid.columns : std::min(n, 4));
  const int rows = std::max(1, (n + columns - 1) / columns);
  if (!grid.row_titles.empty() && static_cast<int>(grid.row_titles.size()) != rows) {
    throw Error("attention_grid: " + std::to_string(grid.row_titles.size()) + " row titles for " +
                std::to_string(rows) + " rows of heatmaps (" + std::to_string(n) + " heatmaps, " +
                std::to_string(columns) + " per row)");
  }
  const int side = grid.cell * static_cast<int>(T);
  // Each panel: room for row labels on the left and title + column labels above; the row
  // titles, when there are any, get a strip of their own at the far left.
  const int panel_w = side + 50, panel_h = side + 60, top = 40;
  const int strip = grid.row_titles.empty() ? 0 : 30;
  const int width = std::max(strip + columns * panel_w + 20, 240);
  const int height = top + rows * panel_h + 10;

  std::string out = header(width, height);
  out += text(width / 2.0, 24, grid.title,
              "text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\"");
  for (size_t r = 0; r < grid.row_titles.size(); ++r) {
    const double x = 22, y = top + 50 + static_cast<double>(r) * panel_h + side / 2.0;
    out += text(x, y, grid.row_titles[r],
                "class=\"row\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\" "
                "transform=\"rotate(-90 " +
                    num(x) + " " + num(y) + ")\"");
  }
  for (int i = 0; i < n; ++i) {
    const double x0 = strip + 20 + 40 + (i % columns) * panel_w;
    const double y0 = top + 50 + (i / columns) * panel_h;
    out += heatmap(grid.heads[static_cast<size_t>(i)], grid.labels, x0, y0, grid.cell);
  }
  return out + "</svg>\n";
}

std::string head_panels(const HeadPanels& chart) {
  const auto n = static_cast<size_t>(chart.layers) * static_cast<size_t>(chart.heads);
  for (const HeadPanel& p : chart.panels) {
    if (p.values.size() != n || n == 0) {
      throw Error("head_panels: \"" + p.title + "\" has " + std::to_string(p.values.size()) +
                  " values, not " + std::to_string(chart.layers) + " layers x " +
                  std::to_string(chart.heads) + " heads");
    }
  }
  const int cell = chart.cell, left = 70, top = 76, gap = 30;
  const int panel_w = chart.heads * cell;
  const int count = static_cast<int>(chart.panels.size());
  const int width = std::max(left + count * (panel_w + gap) + 10, 240);
  const int height = top + chart.layers * cell + 20;
  std::string out = header(width, height);
  out += text(width / 2.0, 24, chart.title,
              "text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\"");
  for (int l = 0; l < chart.layers; ++l) {
    out += text(left - 8, top + l * cell + cell / 2.0 + 4, "layer " + std::to_string(l),
                "text-anchor=\"end\"");
  }
  for (int p = 0; p < count; ++p) {
    const HeadPanel& panel = chart.panels[static_cast<size_t>(p)];
    const double x0 = left + p * (panel_w + gap);
    out += text(x0 + panel_w / 2.0, top - 24, panel.title,
                "text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\"");
    for (int h = 0; h < chart.heads; ++h) {
      out += text(x0 + h * cell + cell / 2.0, top - 6, std::to_string(h),
                  "text-anchor=\"middle\" font-size=\"10\" fill=\"#555\"");
    }
    for (int l = 0; l < chart.layers; ++l) {
      for (int h = 0; h < chart.heads; ++h) {
        const double v = panel.values[static_cast<size_t>(l * chart.heads + h)];
        const double shade = panel.max > 0 ? std::clamp(v / panel.max, 0.0, 1.0) : 0.0;
        char label[32];
        std::snprintf(label, sizeof label, "%.*f", panel.decimals, v);
        const double x = x0 + h * cell, y = top + l * cell;
        out += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + std::to_string(cell) +
               "\" height=\"" + std::to_string(cell) + "\" fill=\"" +
               heat_colour(static_cast<float>(shade)) + "\" stroke=\"#ddd\"><title>" +
               escape(panel.title + " of head " + std::to_string(l) + "." + std::to_string(h) +
                      ": " + label) +
               "</title></rect>\n";
        out += text(x + cell / 2.0, y + cell / 2.0 + 4, label,
                    std::string("text-anchor=\"middle\" font-size=\"10\" fill=\"") +
                        (shade > 0.55 ? "white" : "black") + "\"");
      }
    }
  }
  return out + "</svg>\n";
}

void write_svg(const std::filesystem::path& path, std::string_view svg) {
  write_file_atomic(path, svg);
}

}  // namespace bg::svg
