// Pictures (bg/io/svg.h): the SVG must be well-formed XML, escape every caller's text, and
// hold the expected shapes.
#include "bg/io/svg.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "bg/io/fileio.h"
#include "testing.h"

namespace bg::svg {
namespace {

using ::bg::testing::DoesNotMention;
using ::bg::testing::Mentions;

// A small well-formedness check: tags nest and close, attribute values are quoted, and
// text holds no raw '<' and no '&' that does not start one of the five XML entities.
::testing::AssertionResult WellFormed(const std::string& xml) {
  std::vector<std::string> open;
  size_t i = 0;
  const auto entity_ok = [&](size_t at) {
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
      if (xml.compare(at, std::strlen(e), e) == 0) return true;
    }
    return false;
  };
  while (i < xml.size()) {
    if (xml[i] == '&' && !entity_ok(i)) {
      return ::testing::AssertionFailure() << "raw '&' at " << i;
    }
    if (xml[i] != '<') {
      ++i;
      continue;
    }
    const size_t end = xml.find('>', i);
    if (end == std::string::npos) return ::testing::AssertionFailure() << "unclosed tag at " << i;
    std::string tag = xml.substr(i + 1, end - i - 1);
    const size_t quotes = static_cast<size_t>(std::count(tag.begin(), tag.end(), '"'));
    if (quotes % 2 != 0) return ::testing::AssertionFailure() << "odd quotes in <" << tag << ">";
    if (tag.find('<') != std::string::npos) {
      return ::testing::AssertionFailure() << "'<' inside tag at " << i;
    }
    if (tag.starts_with('/')) {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) {
        return ::testing::AssertionFailure()
               << "</" << name << "> does not close " << (open.empty() ? "anything" : open.back());
      }
      open.pop_back();
    } else if (!tag.ends_with('/')) {
      open.push_back(tag.substr(0, tag.find_first_of(" \n")));
    }
    i = end + 1;
  }
  if (!open.empty()) return ::testing::AssertionFailure() << "<" << open.back() << "> not closed";
  return ::testing::AssertionSuccess();
}

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(Svg, EscapesXmlSpecialCharacters) {
  EXPECT_EQ(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(escape("春江"), "春江");
}

TEST(Svg, NiceTicks) {
  EXPECT_EQ(nice_ticks(0, 4.3), (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(nice_ticks(0, 5000), (std::vector<double>{0, 1000, 2000, 3000, 4000, 5000}));
  const std::vector<double> t = nice_ticks(4.9, 8.3);
  ASSERT_FALSE(t.empty());
  EXPECT_GE(t.front(), 4.9);
  EXPECT_LE(t.back(), 8.3);
  EXPECT_NEAR(t[1] - t[0], 0.5, 1e-12);
}

TEST(Svg, LineChartHasAxesSeriesAndLegend) {
  LineChart chart;
  chart.title = "BabyGPT v4 <loss> & friends";
  chart.series.push_back({"train", {0, 200, 400, 600}, {8.7, 6.1, 5.6, 5.4}});
  chart.series.push_back({"val \"held out\"", {0, 200, 400, 600}, {8.7, 6.2, 5.7, 5.5}});
  const std::string svg = line_chart(chart);
  EXPECT_TRUE(WellFormed(svg));
  EXPECT_TRUE(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_EQ(count(svg, "class=\"series\""), 2u);
  EXPECT_TRUE(Mentions(svg, "BabyGPT v4 &lt;loss&gt; &amp; friends", "the SVG"));
  EXPECT_TRUE(Mentions(svg, "val &quot;held out&quot;", "the SVG"));
  EXPECT_TRUE(Mentions(svg, ">step</text>", "the SVG"));
  EXPECT_TRUE(Mentions(svg, ">loss</text>", "the SVG"));
  EXPECT_TRUE(Mentions(svg, ">600</text>", "the SVG"));  // an x tick
  EXPECT_TRUE(Mentions(svg, ">6.0</text>", "the SVG"));  // a y tick
}

TEST(Svg, LineChartBreaksAtNonFiniteValuesAndSurvivesEmptyInput) {
  LineChart chart;
  chart.series.push_back(
      {"loss", {0, 1, 2, 3, 4}, {1, 2, std::numeric_limits<double>::quiet_NaN(), 3, 4}});
  const std::string svg = line_chart(chart);
  EXPECT_TRUE(WellFormed(svg));
  EXPECT_EQ(count(svg, "class=\"series\""), 2u);
  EXPECT_TRUE(DoesNotMention(svg, "nan", "the SVG"));
  EXPECT_TRUE(WellFormed(line_chart(LineChart{})));
  LineChart flat;
  flat.series.push_back({"flat", {5}, {2}});
  EXPECT_TRUE(WellFormed(line_chart(flat)));
}

TEST(Svg, LineChartRejectsMismatchedSeries) {
  LineChart chart;
  chart.series.push_back({"bad", {0, 1, 2}, {1, 2}});
  EXPECT_BG_ERROR(line_chart(chart), "\"bad\"", "3 x values", "2 y values");
}

TEST(Svg, AttentionGridHasOneCellPerWeightAndTheLabels) {
  AttentionGrid grid;
  grid.title = "attention on 春江 <prompt>";
  grid.labels = {"春", "江", "\n", "&"};
  const size_t T = grid.labels.size();
  for (int h = 0; h < 3; ++h) {
    Heatmap map;
    map.title = "head " + std::to_string(h);
    for (size_t q = 0; q < T; ++q) {
      for (size_t k = 0; k < T; ++k) map.values.push_back(k <= q ? 1.0f / (q + 1) : 0.0f);
    }
    grid.heads.push_back(map);
  }
  const std::string svg = attention_grid(grid);
  EXPECT_TRUE(WellFormed(svg));
  EXPECT_EQ(count(svg, "class=\"cell\""), 3 * T * T);
  EXPECT_EQ(count(svg, "class=\"head\""), 3u);
  EXPECT_EQ(count(svg, ">春</text>"), 3 * 2u);      // as row and column label of every head
  EXPECT_EQ(count(svg, ">\u21B5</text>"), 3 * 2u);  // the newline, made visible
  EXPECT_EQ(count(svg, ">&amp;</text>"), 3 * 2u);
  EXPECT_TRUE(Mentions(svg, ">head 2</text>", "the SVG"));
  EXPECT_TRUE(Mentions(svg, "attention on 春江 &lt;prompt&gt;", "the SVG"));
  EXPECT_TRUE(Mentions(svg, "fill=\"#ffffff\"", "the SVG"));  // weight 0
  EXPECT_TRUE(Mentions(svg, "fill=\"#08306b\"", "the SVG"));  // weight 1
  EXPECT_TRUE(Mentions(svg, "<title>江 \u2192 春: 0.500</title>", "the SVG"));
}

TEST(Svg, AttentionGridRejectsWrongSizes) {
  AttentionGrid grid;
  grid.labels = {"a", "b"};
  grid.heads.push_back({"head 0", {1, 0, 0.5f}});
  EXPECT_BG_ERROR(attention_grid(grid), "\"head 0\"", "3 values", "2x2 = 4");
}

TEST(Svg, AttentionGridOfLayersAndHeads) {
  // 3 layers x 2 heads: one row of heatmaps per layer, the layer written at its left.
  AttentionGrid grid;
  grid.labels = {"a", "b"};
  for (int i = 0; i < 6; ++i) grid.heads.push_back({"head " + std::to_string(i % 2), {1, 0, 0, 1}});
  grid.columns = 2;
  grid.row_titles = {"layer 0", "layer 1", "layer 2"};
  const std::string svg = attention_grid(grid);
  EXPECT_TRUE(WellFormed(svg));
  EXPECT_EQ(count(svg, "class=\"head\""), 6u);
  EXPECT_EQ(count(svg, "class=\"row\""), 3u);
  for (const char* title : {">layer 0</text>", ">layer 1</text>", ">layer 2</text>"}) {
    ASSERT_TRUE(Mentions(svg, title, "the SVG"));
  }
  const size_t l0 = svg.find(">layer 0</text>"), l1 = svg.find(">layer 1</text>"),
               l2 = svg.find(">layer 2</text>");
  EXPECT_LT(l0, l1);
  EXPECT_LT(l1, l2);
  // Without row titles the same heatmaps take less width: the titles get a strip of their own.
  AttentionGrid plain = grid;
  plain.row_titles.clear();
  EXPECT_EQ(count(attention_grid(plain), "class=\"row\""), 0u);
  EXPECT_NE(attention_grid(plain).substr(0, 80), svg.substr(0, 80));  // the <svg width=…>
  // One title per row of heatmaps, or an error.
  grid.row_titles.pop_back();
  EXPECT_BG_ERROR(attention_grid(grid), "2 row titles for 3 rows", "6 heatmaps, 2 per row");
}

TEST(Svg, WritesFiles) {
  const auto path = temp_sibling(std::filesystem::temp_directory_path() / "bg_svg_test.svg");
  write_svg(path, line_chart(LineChart{}));
  EXPECT_TRUE(read_file(path).starts_with("<svg"));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace bg::svg
