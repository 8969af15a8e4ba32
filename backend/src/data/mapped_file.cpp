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

void MappedFile::adviseRandom() const {
    if (m_data) {
        ::madvise(const_cast<std::uint8_t*>(m_data), m_size, MADV_RANDOM);
    }
}

}  // namespace anneal::data
