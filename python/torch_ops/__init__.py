"""Op families of the PyTorch oracle; each module defines OPS = {name: fn(inputs, attrs)}."""
