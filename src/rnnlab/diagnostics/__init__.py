"""Probes that read a model and return records, each with a plot function: the reasons an RNN fails,
made visible and measured.

    gradients   ‖∂L/∂h_t‖, ‖∂L/∂c_t‖, ‖∂L/∂x_t‖ against lag; decay rate and the 1e-6 lag
    jacobian    singular values of ∂s_t/∂s_{t-1} along a trajectory; growth over a window
    memory      metric against delay (effective memory length); input sensitivity ∂y_T/∂x_t
    explode     gradient-norm series, spikes, divergence
    gates       per-gate activity and saturation, read through each cell's gates
    stability   a model's results across seeds
    figures     what the plots share; plots_gradients and plots_training hold the plots
"""
