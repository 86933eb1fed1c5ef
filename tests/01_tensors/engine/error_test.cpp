// The engine's error helpers: the not-implemented message every exercise stub throws names
// the lesson's folder (taken from the lessons/ folders by CMake) and the exercise's section.
#include "bg/error.h"

#include <gtest/gtest.h>

#include <string>

namespace bg {
namespace {

TEST(LessonDir, NamesEachLessonsFolder) {
  EXPECT_EQ(lesson_dir(0), "00_getting_started");
  EXPECT_EQ(lesson_dir(1), "01_tensors");
  EXPECT_EQ(lesson_dir(3), "03_operations");
  EXPECT_EQ(lesson_dir(13), "13_kv_cache");
  for (int lesson = 0; lesson <= 13; ++lesson) {
    const std::string dir(lesson_dir(lesson));
    ASSERT_GT(dir.size(), 3u) << "lesson " << lesson;
    EXPECT_EQ(std::stoi(dir.substr(0, 2)), lesson) << dir;
    EXPECT_EQ(dir[2], '_') << dir;
  }
}

TEST(LessonDir, IsEmptyForALessonThatDoesNotExist) {
  EXPECT_EQ(lesson_dir(-1), "");
  EXPECT_EQ(lesson_dir(99), "");
}

TEST(NotImplemented, NamesTheLessonTheExerciseAndItsSection) {
  try {
    not_implemented(3, 2, "sum_to_shape");
    FAIL() << "not_implemented returned";
  } catch (const NotImplemented& e) {
    EXPECT_STREQ(e.what(),
                 "not implemented: lesson 03, exercise 2 (sum_to_shape) — see "
                 "lessons/03_operations/README.md#exercise-2");
  }
}

TEST(ShortestText, PrintsTheShortestNumberThatReadsBack) {
  EXPECT_EQ(shortest_text(0.01f), "0.01");
  EXPECT_EQ(shortest_text(0.0003f), "3e-04");  // the shorter of "0.0003" and "3e-04"
  EXPECT_EQ(shortest_text(1e30f), "1e+30");
  EXPECT_EQ(shortest_text(-2.5f), "-2.5");
}

}  // namespace
}  // namespace bg
