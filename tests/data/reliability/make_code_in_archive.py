# Makes code-in-archive.pt, the fixture of tests/reliability/test_security: a TorchScript module whose
# __setstate__ prints a marker. torch.jit.load (and LibTorch's torch::jit::load, which Anneal's
# checkpoint reader uses) runs __setstate__ while loading, so a checkpoint wrapping this archive must
# be refused before torch sees it. Run with Debian's python3-torch: /usr/bin/python3 make_code_in_archive.py
# (then rename evil.pt to code-in-archive.pt).
import torch, zipfile
from typing import Tuple
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.x = torch.zeros(1)
    @torch.jit.export
    def __getstate__(self):
        return (self.x, self.training)
    @torch.jit.export
    def __setstate__(self, state: Tuple[torch.Tensor, bool]):
        print("ANNEAL-CHECKPOINT-CODE-EXECUTED")
        self.x = state[0]
        self.training = state[1]
m = torch.jit.script(M())
m.save('evil.pt')
z = zipfile.ZipFile('evil.pt')
for n in z.namelist(): print(n, z.getinfo(n).compress_type, z.getinfo(n).file_size)
for n in z.namelist():
    if n.endswith('.py'): print(z.read(n).decode())
