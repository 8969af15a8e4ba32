// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A read-only memory mapping of a whole file, for the token shard readers (tokens:), which never
// read a shard into memory.

#include <cstddef>
#include <cstdint>
#include <string>

namespace anneal::data {

class MappedFile {
public:
    /// Throws Io at `field` naming the domain and the file when it cannot be opened or mapped.
    MappedFile(const std::string& path, const std::string& field, const std::string& domain);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::uint8_t* data() const { return m_data; }
    std::size_t size() const { return m_size; }
    /// Lets the kernel drop [from, to) from this process's resident set (the file stays cached).
    void release(std::size_t from, std::size_t to) const;
    /// Tells the kernel that reads, through the mapping or readAt, will be random (no read-ahead).
    void adviseRandom() const;
    /// Copies [offset, offset + n) of the file into `out` with pread(2), not through the mapping:
    /// a window read this way leaves nothing mapped, so the resident set does not grow with the
    /// shard (a fault on the mapping maps the page cache's whole folio, up to 2 MB per window on
    /// kernels with large folios). Throws Io naming the file and offset if the file got shorter.
    void readAt(std::uint64_t offset, std::uint8_t* out, std::size_t n) const;

private:
    std::string m_path;
    int m_fd = -1;
    const std::uint8_t* m_data = nullptr;
    std::size_t m_size = 0;
};

}  // namespace anneal::data
