// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "anneal/error.h"

namespace anneal::data {

MappedFile::MappedFile(const std::string& path, const std::string& field, const std::string& domain)
    : m_path(path) {
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) {
        throw Error(ErrorCode::Io,
                    "domain \"" + domain + "\": cannot open \"" + path + "\": " + std::strerror(errno),
                    field);
    }
    struct stat st {};
    ::fstat(m_fd, &st);
    m_size = static_cast<std::size_t>(st.st_size);
    if (m_size > 0) {
        void* p = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, m_fd, 0);
        if (p == MAP_FAILED) {
            const std::string why = std::strerror(errno);
            ::close(m_fd);
            m_fd = -1;
            throw Error(ErrorCode::Io, "domain \"" + domain + "\": cannot map \"" + path + "\": " + why,
                        field);
        }
        m_data = static_cast<const std::uint8_t*>(p);
    }
}

MappedFile::~MappedFile() {
    if (m_data) {
        ::munmap(const_cast<std::uint8_t*>(m_data), m_size);
    }
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

void MappedFile::release(std::size_t from, std::size_t to) const {
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    from = from / page * page;
    if (m_data && to > from) {
        ::madvise(const_cast<std::uint8_t*>(m_data) + from, to - from, MADV_DONTNEED);
    }
}

void MappedFile::readAt(std::uint64_t offset, std::uint8_t* out, std::size_t n) const {
    while (n > 0) {
        const ssize_t got = ::pread(m_fd, out, n, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            throw Error(ErrorCode::Io,
                        "cannot read \"" + m_path + "\" at byte offset " + std::to_string(offset) + ": " +
                            (got < 0 ? std::strerror(errno) : "the file ends there (was it truncated?)"));
        }
        out += got;
        n -= static_cast<std::size_t>(got);
        offset += static_cast<std::uint64_t>(got);
    }
}

void MappedFile::adviseRandom() const {
    if (m_data) {
        ::madvise(const_cast<std::uint8_t*>(m_data), m_size, MADV_RANDOM);
    }
    if (m_fd >= 0) {
        ::posix_fadvise(m_fd, 0, 0, POSIX_FADV_RANDOM);  // the windows' preads: no read-ahead either
    }
}

}  // namespace anneal::data
