from tests.channels.outbound.conftest import Scene, clock, scene, sim, simulator_server

__all__ = ["Scene", "clock", "scene", "sim", "simulator_server"]
