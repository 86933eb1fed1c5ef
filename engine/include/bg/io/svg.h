// Pictures the engine draws itself, as SVG text: loss curves and attention heatmaps.
//
// SVG is XML: shapes (<rect>, <polyline>, <line>) and <text> placed in a coordinate system
// given by the root element's viewBox (here: pixels, y growing downwards). Every piece of
// text a caller passes in (titles, series names, labels) is XML-escaped.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace bg::svg {

// `text` with & < > " ' replaced by XML entities.
std::string escape(std::string_view text);

// About `target` "nice" tick values (steps of 1, 2 or 5 times a power of ten) covering
// [lo, hi]: nice_ticks(0, 4.3) == {0, 1, 2, 3, 4}.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

// ---- line chart (loss curves) -------------------------------------------------------------

struct Series {
  std::string name;       // shown in the legend
  std::vector<double> x;  // x.size() == y.size(); a non-finite y breaks the line there
  std::vector<double> y;
};

struct LineChart {
  std::string title;
  std::string x_label = "step";
  std::string y_label = "loss";
  std::vector<Series> series;
  int width = 720;
  int height = 440;
};

// The chart: axes with ticks and labels, one coloured polyline per series, a legend and
// the title. bg::Error when a series' x and y differ in length.
std::string line_chart(const LineChart& chart);

// ---- attention heatmaps --------------------------------------------------------------------

struct Heatmap {
  std::string title;          // e.g. "head 0"
  std::vector<float> values;  // T×T, row-major: row = query position, column = key position
};

struct AttentionGrid {
  std::string title;
  // The T characters of the prompt (UTF-8); they label rows and columns. A newline shows as
  // "↵", a space as "␣".
  std::vector<std::string> labels;
  std::vector<Heatmap> heads;
  int columns = 0;  // heatmaps per row of the picture; 0 = up to 4
  int cell = 28;    // pixels per cell
  // Optional: one title per row of heatmaps, written down the left edge ("layer 0", …), so a
  // model with blocks draws a grid of layers (rows) × heads (columns). Empty: no row titles.
  std::vector<std::string> row_titles;
};

// One heatmap per head, values in [0, 1] from white (0) to dark blue (1) (values outside
// are clamped; NaN is grey). Each cell carries a <title> tooltip with its query, key and
// value. bg::Error when a head's values do not hold labels.size()² numbers, or when there are
// row titles but not one for each row of heatmaps.
std::string attention_grid(const AttentionGrid& grid);

// Writes an SVG file atomically (bg/io/fileio.h).
// ---- one number per head (lesson 14's head roles) -----------------------------------------

struct HeadPanel {
  std::string title;           // e.g. "self"
  std::vector<double> values;  // layers x heads, row-major: row = layer
  double max = 1.0;            // the value drawn darkest (0 is white)
  int decimals = 2;            // the number written in each cell
};

struct HeadPanels {
  std::string title;
  int layers = 0;
  int heads = 0;
  std::vector<HeadPanel> panels;  // side by side
  int cell = 40;                  // pixels per cell
};

// The panels side by side, each a grid of one cell per head (layers as rows, "layer L" at the
// left, heads as columns), its value written in it and shaded from white (0) to dark (max).
// bg::Error when a panel does not hold layers x heads values.
std::string head_panels(const HeadPanels& chart);

void write_svg(const std::filesystem::path& path, std::string_view svg);

}  // namespace bg::svg
