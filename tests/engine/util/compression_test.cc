#include "util/compression.h"

#include <gtest/gtest.h>

#include "util/random.h"

namespace sett {
namespace {

std::string RandomBytes(size_t n, uint64_t seed) {
  Random rnd(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rnd.Next());
  return s;
}

std::string Text(size_t n) {
  static const char* kWords[] = {"the ", "inode ", "of ", "a ", "block ", "is ", "stored\n"};
  Random rnd(7);
  std::string s;
  while (s.size() < n) s += kWords[rnd.Uniform(7)];
  s.resize(n);
  return s;
}

// Random bytes with a few zero bytes at a stride, as fio writes them: no codec shrinks them.
std::string FioLike(size_t n) {
  std::string s = RandomBytes(n, 3);
  for (size_t i = 48; i < n; i += 64) s.replace(i, 8, std::string(8, '\0'));
  return s;
}

TEST(CompressionTest, RoundTripsWithEitherCodec) {
  const std::string text = Text(10000);
  for (Compression c : {Compression::kSnappy, Compression::kZstd}) {
    std::string compressed, back;
    ASSERT_TRUE(Compress(c, 1, text, &compressed));
    size_t size = 0;
    ASSERT_TRUE(UncompressedSize(c, compressed, &size));
    EXPECT_EQ(size, text.size());
    ASSERT_TRUE(Uncompress(c, compressed, text.size(), &back));
    EXPECT_EQ(back, text);
    // A bound below the real size refuses rather than allocate what the bytes claim.
    EXPECT_FALSE(Uncompress(c, compressed, text.size() - 1, &back));
    EXPECT_FALSE(Uncompress(c, "not compressed at all", 1 << 20, &back));
  }
  std::string out;
  EXPECT_FALSE(Compress(Compression::kNone, 1, text, &out));
}

TEST(CompressionTest, RandomLookingBytesAreNotTried) {
  EXPECT_TRUE(LooksIncompressible(RandomBytes(4096, 1)));
  EXPECT_TRUE(LooksIncompressible(FioLike(4096)));
  EXPECT_FALSE(LooksIncompressible(Text(4096)));
  EXPECT_FALSE(LooksIncompressible(std::string(4096, 'a')));
  EXPECT_FALSE(LooksIncompressible(RandomBytes(1000, 1)));  // Too little to judge.
  // Random at the start, one letter repeated after: judged on both ends, and compressed.
  std::string half = RandomBytes(8192, 4) + std::string(8192, 'q');
  EXPECT_FALSE(LooksIncompressible(half));
  for (Compression c : {Compression::kSnappy, Compression::kZstd}) {
    std::string out;
    EXPECT_FALSE(CompressIfItPays(c, 1, RandomBytes(4096, 2), &out));
    EXPECT_FALSE(CompressIfItPays(c, 1, FioLike(16384), &out));
    ASSERT_TRUE(CompressIfItPays(c, 1, Text(4096), &out));
    EXPECT_TRUE(CompressionPays(4096, out.size()));
  }
}

TEST(CompressionTest, PaysOnlyWhenItSavesAnEighth) {
  EXPECT_TRUE(CompressionPays(800, 699));
  EXPECT_FALSE(CompressionPays(800, 700));
  EXPECT_FALSE(CompressionPays(800, 900));
}

}  // namespace
}  // namespace sett
