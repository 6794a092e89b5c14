"""SPEC 13.2 (R1-R4), 13.3 (S1-S4) and 13.5 (B1) through eprop.nest, written as NEST's tests
write them, equal to NEST's reference arrays at rtol 1e-8."""

import numpy as np
import pytest

import sine_scripts

R_CASES = {
    ("eprop_iaf", "adam"): [0.14000491891386, 0.28735818029752, 0.22263713699860,
                            0.23015072431384, 0.17565248170694],
    ("eprop_iaf_adapt", "gradient_descent"): [0.02242584487453, 0.01916753791522,
                                              0.00571493935652, 0.00037875376195,
                                              0.00037823157578],
    ("eprop_iaf_psc_delta", "gradient_descent"): [0.27039631749159, 0.51390204375229,
                                                  0.53473859833866, 0.53608474802202,
                                                  0.49323580244201],
    ("eprop_iaf_psc_delta_adapt", "gradient_descent"): [0.16416646182675, 0.27952159282830,
                                                        0.29937515524341, 0.26160957500433,
                                                        0.26384514215024],
}


@pytest.mark.parametrize("model,optimizer", sorted(R_CASES))
def test_eprop_regression(nest, model, optimizer):
    losses = sine_scripts.event_driven(nest, model, optimizer)
    np.testing.assert_allclose(losses, R_CASES[(model, optimizer)], rtol=1e-8)


def test_results_do_not_depend_on_virtual_processes(nest):
    one = sine_scripts.event_driven(nest, "eprop_iaf", "adam", n_iter=2)
    four = sine_scripts.event_driven(nest, "eprop_iaf", "adam", n_iter=2, threads=4)
    np.testing.assert_array_equal(one, four)


S_CASES = {
    "piecewise_linear": [0.21030100902759, 0.18933659619924, 0.17036721102500,
                         0.15320300152221, 0.13767218251307],
    "exponential": [0.28011776848615, 0.26861558105999, 0.25861553046549, 0.24988832085299,
                    0.24224569105944],
    "fast_sigmoid_derivative": [0.20044113201621, 0.19020804299944, 0.18160934703950,
                                0.17432167613232, 0.16809903522604],
    "arctan_derivative": [0.37433498786304, 0.36073812744784, 0.34852165076370,
                          0.33759316659435, 0.32784181049728],
}


@pytest.mark.parametrize("function", sorted(S_CASES))
def test_eprop_surrogate_gradients(nest, function):
    nest.set(resolution=1.0, total_num_virtual_procs=1, print_time=False)
    np.random.seed(1)
    params_nrn_rec = {"C_m": 1.0, "c_reg": 0.0, "E_L": 0.0, "I_e": 0.0,
                      "surrogate_gradient_function": function,
                      "surrogate_gradient_height": 0.5, "surrogate_gradient_width": 1.0 / 1.7,
                      "t_ref": 3.0, "V_m": 0.0, "V_th": 0.6}
    gen_spk_in = nest.Create("spike_generator")
    nrns_in = nest.Create("parrot_neuron")
    nrns_rec = nest.Create("eprop_iaf", 1, params_nrn_rec)
    mm_rec = nest.Create("multimeter", {"interval": 1.0,
                                        "record_from": ["surrogate_gradient", "V_m"]})
    nest.Connect(gen_spk_in, nrns_in, {"rule": "one_to_one"},
                 {"synapse_model": "static_synapse", "weight": 1.0, "delay": 1.0})
    nest.Connect(nrns_in, nrns_rec, {"rule": "all_to_all"},
                 {"synapse_model": "eprop_synapse", "weight": 0.3, "delay": 1.0})
    nest.Connect(mm_rec, nrns_rec, {"rule": "all_to_all"},
                 {"synapse_model": "static_synapse", "delay": 1.0})
    gen_spk_in.spike_times = [1.0, 2.0, 3.0, 5.0, 9.0, 11.0]
    nest.Simulate(20.0)
    psi = mm_rec.get("events")["surrogate_gradient"]
    np.testing.assert_allclose(psi[-5:], S_CASES[function], rtol=1e-8)


def test_eprop_bsshslm_regression(nest):
    losses = sine_scripts.bsshslm(nest)
    np.testing.assert_allclose(losses, [101.964356999041, 103.466731126205, 103.340607074771,
                                        103.680244037686, 104.412775748752], rtol=1e-8)
