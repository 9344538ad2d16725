"""`chatops eval`: a task suite that measures how well the agent does its job with a given model.

Each task (a YAML entry under `evals/tasks/`) seeds a scenario on the fake
Kubernetes API and the fake helm / minikube executables of `tests/`, asks a
question in words as a person with a role, and checks by code what the agent
did: operations called (with argument constraints), approval rows filed,
nothing changed before approval, refusals, facts named in the answer, and
operations that must not be called. It runs the real path (router → agent →
executor) against any OpenAI-compatible endpoint. It never approves anything,
so no change runs. An optional grader model (`--judge-model`) scores the
answers too, reported apart: only the checks decide whether a task passed.
"""
