#!/usr/bin/env python3
"""Writes the Sutton & Barto gridworlds as rb-gridworld MDP descriptions (JSON).

  sutton_barto_4_1.json  Example 4.1: 4x4 grid, terminal corners, reward -1 per move, gamma 1,
                         the equiprobable random policy.
  sutton_barto_3_5.json  Examples 3.5 and 3.8: 5x5 grid, A (0,1) -> A' (4,1) for +10,
                         B (0,3) -> B' (2,3) for +5, moves off the grid -1 and stay, gamma 0.9,
                         the equiprobable random policy.

States are the cells in row-major order, named "(row,col)". Run: python3 make_examples.py
"""
import json

MOVES = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}


def name(r, c):
    return f"({r},{c})"


def grid_states(n):
    return [name(r, c) for r in range(n) for c in range(n)]


def move(n, r, c, action):
    dr, dc = MOVES[action]
    rr, cc = r + dr, c + dc
    inside = 0 <= rr < n and 0 <= cc < n
    return (rr, cc, True) if inside else (r, c, False)


def example_4_1():
    n = 4
    terminal = [name(0, 0), name(n - 1, n - 1)]
    transitions = []
    for r in range(n):
        for c in range(n):
            if name(r, c) in terminal:
                continue
            for action in MOVES:
                rr, cc, _ = move(n, r, c, action)
                transitions.append({"state": name(r, c), "action": action,
                                    "next": name(rr, cc), "reward": -1})
    return {"schema_version": 1, "name": "Sutton & Barto Example 4.1", "gamma": 1.0,
            "states": grid_states(n), "layout": [n, n], "actions": list(MOVES),
            "terminal": terminal, "policy": "equiprobable", "transitions": transitions}


def example_3_5():
    n = 5
    jumps = {(0, 1): ((4, 1), 10), (0, 3): ((2, 3), 5)}
    transitions = []
    for r in range(n):
        for c in range(n):
            for action in MOVES:
                if (r, c) in jumps:
                    (rr, cc), reward = jumps[(r, c)]
                else:
                    rr, cc, inside = move(n, r, c, action)
                    reward = 0 if inside else -1
                transitions.append({"state": name(r, c), "action": action,
                                    "next": name(rr, cc), "reward": reward})
    return {"schema_version": 1, "name": "Sutton & Barto Examples 3.5 and 3.8", "gamma": 0.9,
            "states": grid_states(n), "layout": [n, n], "actions": list(MOVES),
            "policy": "equiprobable", "transitions": transitions}


def write(path, mdp):
    # One transition per line keeps the files readable and diffable.
    lines = [json.dumps(t) for t in mdp.pop("transitions")]
    head = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in mdp.items()]
    with open(path, "w") as f:
        f.write("{\n" + ",\n".join(head) + ',\n "transitions": [\n  ' + ",\n  ".join(lines) +
                "\n ]\n}\n")


if __name__ == "__main__":
    write("sutton_barto_4_1.json", example_4_1())
    write("sutton_barto_3_5.json", example_3_5())
