//===- WeightObject.cpp - The weights as a relocatable ELF object ---------===//
#include "codegen/WeightObject.h"

#include "llvm/BinaryFormat/ELF.h"

#include <cstring>

using namespace netc;
namespace ELF = llvm::ELF;

int64_t netc::layoutBlob(llvm::MutableArrayRef<BlobPiece> pieces) {
  int64_t at = 0;
  for (BlobPiece &p : pieces) {
    at += (p.align - at % p.align) % p.align;
    p.offset = at;
    at += p.bytes;
  }
  return at;
}

namespace {

// Section indices of the object.
enum : unsigned { kNull, kData, kNoteStack, kSymtab, kStrtab, kShstrtab, kCount };

template <typename T> void put(llvm::raw_ostream &os, const T &v) {
  os.write(reinterpret_cast<const char *>(&v), sizeof(T));
}

void zeros(llvm::raw_ostream &os, uint64_t n) {
  static const char block[4096] = {};
  for (; n > sizeof(block); n -= sizeof(block))
    os.write(block, sizeof(block));
  os.write(block, n);
}

} // namespace

bool netc::writeWeightObject(
    const std::string &path, llvm::StringRef symbol,
    llvm::ArrayRef<BlobPiece> pieces,
    const std::function<bool(size_t, llvm::raw_ostream &, std::string &)> &write,
    std::string &error) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    error = "cannot write '" + path + "': " + ec.message();
    return false;
  }
  const uint64_t dataAt = 4096; // the section's file offset: page aligned
  uint64_t dataBytes = 0;
  for (const BlobPiece &p : pieces)
    dataBytes = std::max<uint64_t>(dataBytes, p.offset + p.bytes);

  std::string strtab = std::string("\0", 1) + symbol.str() + '\0';
  std::string shstrtab("\0", 1);
  auto name = [&](llvm::StringRef n) {
    uint32_t at = shstrtab.size();
    shstrtab += n.str() + '\0';
    return at;
  };
  uint32_t dataName = name(".rodata.netc_weights");
  uint32_t noteName = name(".note.GNU-stack");
  uint32_t symtabName = name(".symtab");
  uint32_t strtabName = name(".strtab");
  uint32_t shstrtabName = name(".shstrtab");

  auto alignTo = [](uint64_t v, uint64_t a) { return (v + a - 1) / a * a; };
  uint64_t symtabAt = alignTo(dataAt + dataBytes, 8);
  uint64_t symtabBytes = 2 * sizeof(ELF::Elf64_Sym);
  uint64_t strtabAt = symtabAt + symtabBytes;
  uint64_t shstrtabAt = strtabAt + strtab.size();
  uint64_t shdrAt = alignTo(shstrtabAt + shstrtab.size(), 8);

  ELF::Elf64_Ehdr eh;
  std::memset(&eh, 0, sizeof(eh));
  std::memcpy(eh.e_ident, ELF::ElfMagic, 4);
  eh.e_ident[ELF::EI_CLASS] = ELF::ELFCLASS64;
  eh.e_ident[ELF::EI_DATA] = ELF::ELFDATA2LSB;
  eh.e_ident[ELF::EI_VERSION] = ELF::EV_CURRENT;
  eh.e_ident[ELF::EI_OSABI] = ELF::ELFOSABI_NONE;
  eh.e_type = ELF::ET_REL;
  eh.e_machine = ELF::EM_X86_64;
  eh.e_version = ELF::EV_CURRENT;
  eh.e_shoff = shdrAt;
  eh.e_ehsize = sizeof(ELF::Elf64_Ehdr);
  eh.e_shentsize = sizeof(ELF::Elf64_Shdr);
  eh.e_shnum = kCount;
  eh.e_shstrndx = kShstrtab;
  put(os, eh);
  zeros(os, dataAt - sizeof(eh));

  // The data, piece by piece, with the alignment padding between.
  uint64_t at = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    zeros(os, pieces[i].offset - at);
    uint64_t before = os.tell();
    if (!write(i, os, error))
      return false;
    if (os.tell() - before != (uint64_t)pieces[i].bytes) {
      error = "internal error: a weight wrote the wrong number of bytes";
      return false;
    }
    at = pieces[i].offset + pieces[i].bytes;
  }
  zeros(os, symtabAt - (dataAt + dataBytes));

  ELF::Elf64_Sym sym;
  std::memset(&sym, 0, sizeof(sym));
  put(os, sym); // the null symbol
  sym.st_name = 1;
  sym.setBindingAndType(ELF::STB_GLOBAL, ELF::STT_OBJECT);
  sym.st_other = ELF::STV_HIDDEN;
  sym.st_shndx = kData;
  sym.st_size = dataBytes;
  put(os, sym);
  os << strtab << shstrtab;
  zeros(os, shdrAt - (shstrtabAt + shstrtab.size()));

  auto section = [&](uint32_t nm, uint32_t type, uint64_t flags, uint64_t off,
                     uint64_t size, uint32_t link, uint32_t info,
                     uint64_t align, uint64_t entsize) {
    ELF::Elf64_Shdr sh;
    std::memset(&sh, 0, sizeof(sh));
    sh.sh_name = nm;
    sh.sh_type = type;
    sh.sh_flags = flags;
    sh.sh_offset = off;
    sh.sh_size = size;
    sh.sh_link = link;
    sh.sh_info = info;
    sh.sh_addralign = align;
    sh.sh_entsize = entsize;
    put(os, sh);
  };
  section(0, ELF::SHT_NULL, 0, 0, 0, 0, 0, 0, 0);
  section(dataName, ELF::SHT_PROGBITS, ELF::SHF_ALLOC, dataAt, dataBytes, 0, 0,
          4096, 0);
  section(noteName, ELF::SHT_PROGBITS, 0, dataAt, 0, 0, 0, 1, 0);
  // sh_info: the index of the first global symbol.
  section(symtabName, ELF::SHT_SYMTAB, 0, symtabAt, symtabBytes, kStrtab, 1, 8,
          sizeof(ELF::Elf64_Sym));
  section(strtabName, ELF::SHT_STRTAB, 0, strtabAt, strtab.size(), 0, 0, 1, 0);
  section(shstrtabName, ELF::SHT_STRTAB, 0, shstrtabAt, shstrtab.size(), 0, 0,
          1, 0);
  os.close();
  if (os.has_error()) {
    error = "cannot write '" + path + "': " + os.error().message();
    os.clear_error();
    return false;
  }
  return true;
}
