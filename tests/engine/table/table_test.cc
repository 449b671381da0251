// Tables: round trips under every compression, read through preads and through memory maps;
// seeks, verification and damage.

#include "table/table.h"

#include <gtest/gtest.h>

#include "sett/env.h"
#include "support/test_util.h"
#include "util/hash.h"
#include "util/random.h"

namespace sett {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

Entries MakeEntries(int keys, Random* rnd) {
  Entries entries;
  for (int i = 0; i < keys; i++) {
    std::string user = "key" + std::to_string(100000 + i * 3);
    int versions = 1 + static_cast<int>(rnd->Uniform(3));
    for (int v = versions; v >= 1; v--) {
      ValueStruct vs;
      std::string value(rnd->Uniform(300), 'a' + i % 26);
      for (size_t b = 0; b < value.size() / 2; b++) value[b] = static_cast<char>(rnd->Next());
      vs.value = value;
      if (v == versions && i % 17 == 0) vs.meta = kMetaDelete;
      std::string encoded;
      AppendValueStruct(&encoded, vs);
      entries.emplace_back(InternalKey(user, v * 10), encoded);
    }
  }
  return entries;
}

class TableTest : public ::testing::TestWithParam<std::tuple<Compression, bool>> {
 protected:
  static Compression compression() { return std::get<0>(GetParam()); }
  static bool map() { return std::get<1>(GetParam()); }

  test::TempDir dir_;  // First: other members are built from it.
  std::string path_ = dir_.Join("000001.sst");

  std::shared_ptr<Table> Build(const Entries& entries, BlockCache* cache = nullptr) {
    TableBuilderOptions options;
    options.compression = compression();
    std::unique_ptr<WritableFile> file;
    EXPECT_OK(Env::Default()->NewWritableFile(path_, &file));
    TableBuilder builder(options, file.get());
    for (const auto& [k, v] : entries) EXPECT_OK(builder.Add(k, v));
    EXPECT_OK(builder.Finish());
    EXPECT_OK(file->Close());
    std::shared_ptr<Table> table;
    EXPECT_OK(Table::Open(Env::Default(), path_, 1, cache, map(), &table));
    return table;
  }
};

TEST_P(TableTest, RoundTrip) {
  Random rnd(11);
  Entries entries = MakeEntries(3000, &rnd);
  BlockCache cache(8 << 20);
  auto table = Build(entries, &cache);
  ASSERT_NE(table, nullptr);
  EXPECT_GT(table->num_blocks(), 10u);
  EXPECT_EQ(table->properties().num_entries, entries.size());
  EXPECT_EQ(table->properties().smallest, entries.front().first);
  EXPECT_EQ(table->properties().largest, entries.back().first);
  EXPECT_EQ(table->properties().num_deletes, (3000 + 16) / 17);
  EXPECT_EQ(table->properties().num_older_versions, entries.size() - 3000);
  EXPECT_OK(table->Verify());

  for (bool reverse : {false, true}) {
    auto it = table->NewIterator(reverse, true);
    size_t n = 0;
    for (it->Rewind(); it->Valid(); it->Next(), n++) {
      const auto& expected = reverse ? entries[entries.size() - 1 - n] : entries[n];
      ASSERT_EQ(it->key(), expected.first);
      ASSERT_EQ(it->value(), expected.second);
    }
    EXPECT_OK(it->status());
    EXPECT_EQ(n, entries.size());
  }
  EXPECT_GT(cache.hits(), 0u);
}

TEST_P(TableTest, SeekMatchesModel) {
  Random rnd(12);
  Entries entries = MakeEntries(2000, &rnd);
  auto table = Build(entries);
  auto less = [](const auto& kv, const std::string& t) {
    return CompareInternalKeys(kv.first, t) < 0;
  };
  for (int trial = 0; trial < 2000; trial++) {
    std::string target =
        InternalKey("key" + std::to_string(99990 + rnd.Uniform(6030)), rnd.Uniform(40));
    auto lb = std::lower_bound(entries.begin(), entries.end(), target, less);
    bool found;
    std::string key, value;
    ASSERT_OK(table->Seek(target, true, &found, &key, &value));
    ASSERT_EQ(found, lb != entries.end());
    if (found) {
      EXPECT_EQ(key, lb->first);
      EXPECT_EQ(value, lb->second);
    }
    auto it = table->NewIterator(/*reverse=*/true, true);
    it->Seek(target);
    auto ub = std::upper_bound(
        entries.begin(), entries.end(), target,
        [](const std::string& t, const auto& kv) { return CompareInternalKeys(t, kv.first) < 0; });
    if (ub == entries.begin()) {
      EXPECT_FALSE(it->Valid());
    } else {
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(it->key(), std::prev(ub)->first);
    }
  }
}

TEST_P(TableTest, BloomFilterCoversUserKeys) {
  Random rnd(13);
  Entries entries = MakeEntries(1000, &rnd);
  auto table = Build(entries);
  for (const auto& [k, v] : entries) EXPECT_TRUE(table->MayContain(KeyHash(UserKey(k))));
  int passed = 0;
  for (int i = 0; i < 10000; i++)
    passed += table->MayContain(KeyHash("absent" + std::to_string(i)));
  EXPECT_LT(passed, 300);
}

TEST_P(TableTest, AnIndexLeftToTheCacheIsReadAgainWhenEvicted) {
  Random rnd(13);
  Entries entries = MakeEntries(3000, &rnd);
  BlockCache roomy(1 << 20, /*index_capacity=*/4 << 20);
  auto table = Build(entries, &roomy);
  EXPECT_GT(roomy.index_usage(), 0u) << "the index went to the cache";
  EXPECT_EQ(roomy.index_misses(), 0u);

  BlockCache tiny(1 << 20, /*index_capacity=*/4 << 10);  // Smaller than the index.
  table = Build(entries, &tiny);
  EXPECT_EQ(tiny.index_usage(), 0u) << "too big to keep";
  uint64_t found = 0;
  for (const auto& [k, v] : entries) {
    bool hit;
    std::string key, value;
    ASSERT_OK(table->Seek(k, true, &hit, &key, &value));
    found += hit && key == k && value == v;
    ASSERT_TRUE(table->MayContain(KeyHash(UserKey(k))));
  }
  EXPECT_EQ(found, entries.size());
  EXPECT_GE(tiny.index_misses(), entries.size()) << "read from the file each time";
  EXPECT_OK(table->Verify());
  auto it = table->NewIterator(false, true);
  size_t n = 0;
  for (it->Rewind(); it->Valid(); it->Next()) n++;
  EXPECT_EQ(n, entries.size());
}

TEST_P(TableTest, DamagedDataBlockIsCorruptionNamingFileAndOffset) {
  Random rnd(14);
  Entries entries = MakeEntries(500, &rnd);
  auto table = Build(entries);
  uint64_t size = table->file_size();
  table.reset();
  test::FlipByte(path_, 100);  // Inside the first data block.
  ASSERT_OK(
      Table::Open(Env::Default(), path_, 1, nullptr, map(), &table));  // Index and bloom intact.
  Status s = table->Verify();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(path_), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("offset 0"), std::string::npos) << s.ToString();
  auto it = table->NewIterator(false, true);
  it->Rewind();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
  bool found;
  std::string key, value;
  EXPECT_TRUE(table->Seek(entries[0].first, true, &found, &key, &value).IsCorruption());
  EXPECT_EQ(size, test::FileSize(path_));
}

TEST_P(TableTest, DamagedIndexFooterOrLengthFailsOpen) {
  Random rnd(15);
  Entries entries = MakeEntries(300, &rnd);
  Build(entries);
  std::string good = test::ReadFile(path_);
  std::shared_ptr<Table> table;
  for (uint64_t back : {1, 20, 47, 60, 100}) {  // Footer bytes, then index/bloom bytes.
    test::WriteFile(path_, good);
    test::FlipByte(path_, good.size() - back);
    Status s = Table::Open(Env::Default(), path_, 1, nullptr, map(), &table);
    EXPECT_TRUE(s.IsCorruption()) << "byte " << back << " from the end: " << s.ToString();
    EXPECT_NE(s.message().find(path_), std::string::npos);
  }
  test::WriteFile(path_, good.substr(0, good.size() / 2));
  EXPECT_TRUE(Table::Open(Env::Default(), path_, 1, nullptr, map(), &table).IsCorruption());
  test::WriteFile(path_, "short");
  EXPECT_TRUE(Table::Open(Env::Default(), path_, 1, nullptr, map(), &table).IsCorruption());
}

INSTANTIATE_TEST_SUITE_P(AllCompressions, TableTest,
                         ::testing::Combine(::testing::Values(Compression::kNone,
                                                              Compression::kSnappy,
                                                              Compression::kZstd),
                                            ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(CompressionName(std::get<0>(info.param))) +
                                  (std::get<1>(info.param) ? "_mmap" : "_pread");
                         });

}  // namespace
}  // namespace sett
